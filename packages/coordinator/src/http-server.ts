import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/**
 * HTTP beside gRPC: liveness/readiness for orchestrators, Prometheus metrics,
 * and the admin dashboard (page, JSON API, live events) when one is given.
 */
export async function startHttpServer(options: {
  host: string;
  port: number;
  registry: Registry;
  ready: () => Promise<void>;
  /** Returns false for paths that are not its own. */
  dashboard?: { handle(request: IncomingMessage, response: ServerResponse, path: string): boolean };
}): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0]!;
    if (path === "/healthz") {
      options.ready().then(
        () => response.writeHead(200, { "content-type": "text/plain" }).end("ok\n"),
        (error: Error) => response.writeHead(503, { "content-type": "text/plain" }).end(`unhealthy: ${error.message}\n`),
      );
      return;
    }
    if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => response.writeHead(200, { "content-type": options.registry.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
      return;
    }
    if (options.dashboard?.handle(request, response, path)) return;
    response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
