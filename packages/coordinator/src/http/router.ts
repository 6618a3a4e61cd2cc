import type { IncomingMessage, ServerResponse } from "node:http";
import type { AdminSession } from "./admin-sessions.ts";

export interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** The signed-in admin; routes marked public may run without one. */
  session: AdminSession | undefined;
}

/** Returns the JSON body to send (status 200), or undefined when it wrote the response itself. */
export type RouteHandler = (context: RouteContext) => Promise<unknown>;

export interface Route {
  method: "GET" | "POST" | "DELETE";
  /** Segments; ":name" captures one. */
  path: string;
  handler: RouteHandler;
  /** Reachable without a session (sign-in itself). */
  public?: boolean;
}

export type RouteMatch = { route: Route; params: Record<string, string> } | { methodNotAllowed: string[] } | undefined;

/** A small exact-segment router: the dashboard API has a dozen routes, not a framework's worth. */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const segments = path.split("/");
  const allowed: string[] = [];
  for (const route of routes) {
    const pattern = route.path.split("/");
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((part, n) => {
      const segment = segments[n]!;
      if (!part.startsWith(":")) return part === segment;
      if (segment === "") return false;
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
        return true;
      } catch {
        return false;
      }
    });
    if (!matches) continue;
    if (route.method === method || (method === "HEAD" && route.method === "GET")) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { methodNotAllowed: allowed } : undefined;
}
