import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What /metrics serves: a prom-client Registry fits. */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Served on /metrics for Prometheus. */
  metrics: MetricsSource;
  /** /healthz answers 200 once this resolves, 503 with the reason when it rejects; absent, always 200. */
  ready?: () => Promise<void>;
  /** Everything else (the coordinator's dashboard); returns false for paths that are not its own. */
  handle?(request: IncomingMessage, response: ServerResponse, path: string): boolean;
}

export interface HttpServer {
  readonly port: number;
  readonly server: Server;
  /** Cuts open connections (event streams included) and stops listening; idempotent. */
  close(): Promise<void>;
}

const TEXT = { "content-type": "text/plain" };

/**
 * The HTTP port beside a process's real work, as coordinators and agents
 * both run one: /healthz for orchestrators, /metrics for Prometheus, and
 * whatever `handle` serves; 404 for the rest.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0]!;
    if (path === "/healthz") {
      (options.ready?.() ?? Promise.resolve()).then(
        () => response.writeHead(200, TEXT).end("ok\n"),
        (error: Error) => response.writeHead(503, TEXT).end(`unhealthy: ${error.message}\n`),
      );
    } else if (path === "/metrics") {
      options.metrics.metrics().then(
        (text) => response.writeHead(200, { "content-type": options.metrics.contentType }).end(text),
        (error: Error) => response.writeHead(500, TEXT).end(`metrics failed: ${error.message}\n`),
      );
    } else if (!options.handle?.(request, response, path)) {
      response.writeHead(404, TEXT).end("not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
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
