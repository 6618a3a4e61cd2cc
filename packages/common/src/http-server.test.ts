import { afterEach, describe, expect, it } from "vitest";
import { startHttpServer, type HttpServer } from "./http-server.ts";

describe("startHttpServer", () => {
  let server: HttpServer | undefined;
  afterEach(() => server?.close());

  it("serves /healthz from `ready`, /metrics from its source, the rest from `handle`, and 404 otherwise", async () => {
    let healthy = true;
    server = await startHttpServer({
      host: "127.0.0.1",
      port: 0,
      metrics: { contentType: "text/plain; version=0.0.4", metrics: async () => "up 1\n" },
      ready: async () => {
        if (!healthy) throw new Error("database unreachable");
      },
      handle: (_request, response, path) => {
        if (path !== "/hello") return false;
        response.writeHead(200).end("hi");
        return true;
      },
    });
    const get = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${server!.port}${path}`);
      return [response.status, await response.text(), response.headers.get("content-type")];
    };
    expect(await get("/healthz")).toEqual([200, "ok\n", "text/plain"]);
    expect(await get("/metrics?x=1")).toEqual([200, "up 1\n", "text/plain; version=0.0.4"]);
    expect((await get("/hello"))[1]).toBe("hi");
    expect((await get("/nothing"))[0]).toBe(404);
    healthy = false;
    expect(await get("/healthz")).toEqual([503, "unhealthy: database unreachable\n", "text/plain"]);
  });

  it("answers 500 when the metrics fail, is healthy without `ready`, and closes once however often asked", async () => {
    server = await startHttpServer({ host: "127.0.0.1", port: 0, metrics: { contentType: "text/plain", metrics: () => Promise.reject(new Error("collector broke")) } });
    const metrics = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect([metrics.status, await metrics.text()]).toEqual([500, "metrics failed: collector broke\n"]);
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    const closing = server.close();
    expect(server.close()).toBe(closing);
    await closing;
    await expect(fetch(`http://127.0.0.1:${server.port}/healthz`)).rejects.toThrow();
  });
});
