import type { IncomingMessage, ServerResponse } from "node:http";
import type { DashboardAsset } from "@atelier/dashboard";

/**
 * Serves the dashboard's bundle from memory. Files revalidate by ETag
 * (cheap 304s), so a new coordinator version is picked up at once. When the
 * bundle could not be loaded, the page says why instead of a blank screen.
 */
export function staticFiles(assets: DashboardAsset[] | Error) {
  const byPath = new Map(Array.isArray(assets) ? assets.map((asset) => [asset.path, asset]) : []);
  return (request: IncomingMessage, response: ServerResponse, path: string): boolean => {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    if (assets instanceof Error) {
      if (path !== "/") return false;
      response.writeHead(503, { "content-type": "text/plain; charset=utf-8" }).end(`The dashboard is unavailable: ${assets.message}\n`);
      return true;
    }
    const asset = byPath.get(path);
    if (!asset) return false;
    const headers = { "content-type": asset.contentType, etag: asset.etag, "cache-control": "no-cache" };
    if (request.headers["if-none-match"] === asset.etag) {
      response.writeHead(304, headers).end();
      return true;
    }
    response.writeHead(200, { ...headers, "content-length": String(asset.body.length) });
    response.end(request.method === "HEAD" ? undefined : asset.body);
    return true;
  };
}
