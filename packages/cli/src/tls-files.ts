import { readFileSync } from "node:fs";
import { CliError } from "./cli-error.ts";

/** TLS settings read from PEM files (`--tls-ca`, `--tls-cert`, `--tls-key`); undefined for plaintext. */
export function tlsFiles(paths: { ca?: string; cert?: string; key?: string }): { ca?: Buffer; cert?: Buffer; key?: Buffer } | undefined {
  if (!paths.ca && !paths.cert) return undefined;
  if (Boolean(paths.cert) !== Boolean(paths.key)) throw new CliError("--tls-cert and --tls-key go together: a client certificate needs its key", 2);
  const read = (path: string | undefined) => (path ? readFileSync(path) : undefined);
  return { ca: read(paths.ca), cert: read(paths.cert), key: read(paths.key) };
}
