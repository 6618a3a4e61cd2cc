import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault = "pass" | "error-503" | "reset" | "stall";

/**
 * An HTTP proxy in front of a real server that injects faults: a 503, a
 * connection reset, or a stall (no answer until the client gives up), chosen
 * per request by `decide`. Counts what it did so tests can check faults
 * really happened.
 */
export async function startFaultyProxy(target: string, decide: (req: IncomingMessage, n: number) => Fault) {
  const upstream = new URL(target);
  const counts: Record<Fault, number> = { pass: 0, "error-503": 0, reset: 0, stall: 0 };
  let n = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const fault = decide(req, n++);
    counts[fault]++;
    if (fault === "error-503") {
      req.resume();
      res.writeHead(503, { "content-type": "application/xml" }).end("<Error><Code>SlowDown</Code></Error>");
      return;
    }
    if (fault === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault === "stall") {
      req.resume();
      return; // never answer; the client's timeout decides
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
