import type { SessionInfo } from "../api-types.ts";

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

let csrfToken = "";
const unauthorizedListeners = new Set<() => void>();

/** Called when the session is gone (expired, signed out elsewhere, coordinator restarted). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function useSession(session: SessionInfo): void {
  csrfToken = session.csrfToken;
}

/** JSON in and out of the coordinator; mutations carry the session's CSRF token. */
export async function api<T>(path: string, init: { method?: "GET" | "POST" | "DELETE"; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? "GET";
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET") headers["x-csrf-token"] = csrfToken;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: "same-origin",
    cache: "no-store",
  });
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) {
    if (response.status === 401 && path !== "/api/session") for (const listener of unauthorizedListeners) listener();
    throw new ApiError(response.status, body.error ?? `${response.status} ${response.statusText}`);
  }
  return body as T;
}
