/**
 * Where to open the dashboard. With `withToken` the admin token rides in the
 * URL fragment, which browsers never send to a server or write to its logs;
 * the page exchanges it for a session cookie and drops it from the address.
 */
export function dashboardUrl(options: { host: string; httpPort: number; adminToken: string; withToken: boolean }): string {
  const host = options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : options.host;
  const base = `http://${host.includes(":") ? `[${host}]` : host}:${options.httpPort}/`;
  return options.withToken ? `${base}#token=${encodeURIComponent(options.adminToken)}` : base;
}
