import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiRoutes } from "@atelier/dashboard/api-types";
import type { AdminSession } from "./admin-sessions.ts";

export interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** The signed-in admin; routes marked public may run without one. */
  session: AdminSession | undefined;
}

type Method = "GET" | "POST" | "DELETE";

/**
 * A route of the dashboard's API, typed by its entry in ApiRoutes (the API's
 * one description, which the dashboard compiles against too): `method` and
 * `path` must name an entry, and the handler resolves to the JSON body that
 * entry says (sent with status 200), or to undefined when it wrote the
 * response itself.
 */
export type Route = {
  [Key in keyof ApiRoutes]: Key extends `${infer M extends Method} ${infer P}`
    ? {
        method: M;
        /** Segments; ":name" captures one. */
        path: P;
        handler: (context: RouteContext) => Promise<ApiRoutes[Key] | undefined>;
        /** Reachable without a session (sign-in itself). */
        public?: boolean;
      }
    : never;
}[keyof ApiRoutes];

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
