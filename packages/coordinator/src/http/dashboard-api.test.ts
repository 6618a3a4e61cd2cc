import * as grpc from "@grpc/grpc-js";
import { decodePng, encodePng, readPngText } from "@atelier/diffusion/png";
import { batchStore, leaseStore, resultStore, agentRegistry } from "@atelier/db";
import { service as healthService } from "grpc-health-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FarmRuntime } from "../farm-runtime.ts";
import { startLoopbackRuntime } from "./testing-runtime.ts";

// The dashboard's HTTP surface on a real embedded farm (PGlite, S3 server,
// in-process bus): sessions, CSRF and cross-site refusals, the JSON API,
// Server-Sent Events, metrics and the gRPC health service.

const TOKEN = "test-admin-token-0123456789";
// Batch ids are UUIDs, as SubmitBatch makes them (the Farm API refuses anything else).
const B1 = "0b1b0b1b-0000-4000-8000-000000000001";
const settings = { model: "atelier-demo", width: 64, height: 64, steps: 4, guidance: 7, sampler: "euler" };

/** A 1x1 PNG carrying A1111 parameters, as the pipeline writes them. */
function pngWithParameters(parameters: string): Uint8Array {
  return encodePng(Uint8Array.of(255, 0, 0), 1, 1, { parameters });
}

describe("dashboard HTTP API", () => {
  let farm: FarmRuntime;
  let base: string;
  let host: string;

  beforeAll(async () => {
    ({ farm, base } = await startLoopbackRuntime({ ATELIER_ADMIN_TOKEN: TOKEN, ATELIER_LOAD_SAMPLE_MS: "200" }));
    host = new URL(base).host;

    // One batch of 6: items 0-2 rendered (with a PNG in the bucket), 3-4 failed, 5 queued.
    await agentRegistry.upsert(farm.db, { id: "gpu-7", name: "gpu-7", gpu: "cpu", memoryBytes: 1, providers: ["cpu"], models: ["atelier-demo"], slots: 1, maxWidth: 512, maxHeight: 512, version: "t" });
    await batchStore.begin(farm.db, { id: B1, tenantId: "studio", name: "posters", priority: 0, defaults: settings, maxAttempts: 1 });
    await batchStore.append(farm.db, B1, Array.from({ length: 6 }, (_, index) => ({ ...settings, index, prompt: `prompt ${index}`, negativePrompt: "", seed: 40 + index })));
    await batchStore.commit(farm.db, B1, 6);
    const lease = (await leaseStore.lease(farm.db, B1, { models: ["atelier-demo"], maxWidth: 512, maxHeight: 512, agentId: "gpu-7", shardId: "s1", maxItems: 5, leaseTtlMs: 60_000 }))!;
    for (const item of lease.items) {
      if (item.index < 3) {
        const key = `studio/${B1}/${String(item.index).padStart(8, "0")}-${item.seed}.png`;
        const png = pngWithParameters(`prompt ${item.index}\nSteps: 4, Sampler: Euler, CFG scale: 7, Seed: ${item.seed}, Size: 64x64`);
        await farm.store.put(key, png, "image/png");
        await resultStore.recordOutput(farm.db, { itemId: item.itemId, epoch: lease.epoch, agentId: "gpu-7", key, sha256: "0".repeat(64), bytes: png.length, width: 64, height: 64, renderMs: 12, metadata: {} });
      } else {
        await resultStore.recordFailure(farm.db, { itemId: item.itemId, epoch: lease.epoch, agentId: "gpu-7", error: "CUDA out of memory", retryable: false });
      }
    }
  });
  afterAll(() => farm?.close());

  async function signIn(previousCookie?: string): Promise<{ cookie: string; csrf: string; setCookie: string }> {
    const response = await fetch(`${base}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base, "sec-fetch-site": "same-origin", ...(previousCookie ? { cookie: previousCookie } : {}) },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(response.status).toBe(200);
    const setCookie = response.headers.get("set-cookie")!;
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    return { cookie: setCookie.split(";")[0]!, csrf: csrfToken, setCookie };
  }

  const get = (path: string, cookie?: string) => fetch(`${base}${path}`, { headers: cookie ? { cookie } : {} });
  const post = (path: string, session: { cookie: string; csrf?: string }, headers: Record<string, string> = {}, body?: unknown) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: {
        cookie: session.cookie,
        origin: base,
        "sec-fetch-site": "same-origin",
        ...(session.csrf ? { "x-csrf-token": session.csrf } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("refuses every API without a session, with 401 and no data", async () => {
    for (const path of ["/api/agents", "/api/farm", "/api/batches", `/api/batches/${B1}`, `/api/batches/${B1}/items`, "/api/items/1", "/api/items/1/image", "/api/events", "/api/session"]) {
      const response = await get(path);
      expect(response.status, path).toBe(401);
      expect(await response.json(), path).toEqual({ error: "sign in with the admin token" });
    }
    expect((await get("/api/agents", "atelier_session=forged")).status).toBe(401);
    // The page itself holds no data and loads for anyone.
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/assets/app.js">');
  });

  it("signs in with the admin token only, into an HttpOnly SameSite=Strict cookie", async () => {
    const wrong = await fetch(`${base}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: "guess" }) });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    const { setCookie, cookie, csrf } = await signIn();
    expect(setCookie).toMatch(/^atelier_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=604800$/);
    const session = await get("/api/session", cookie);
    expect(await session.json()).toMatchObject({ csrfToken: csrf });
  });

  it("rotates the session at sign-in and ends it at sign-out", async () => {
    const first = await signIn();
    const second = await signIn(first.cookie);
    expect(second.cookie).not.toBe(first.cookie);
    expect(second.csrf).not.toBe(first.csrf);
    expect((await get("/api/agents", first.cookie)).status).toBe(401);
    expect((await get("/api/agents", second.cookie)).status).toBe(200);

    const signOut = await fetch(`${base}/api/session`, { method: "DELETE", headers: { cookie: second.cookie, "x-csrf-token": second.csrf, "sec-fetch-site": "same-origin" } });
    expect(signOut.status).toBe(204);
    expect(signOut.headers.get("set-cookie")).toMatch(/^atelier_session=; .*Max-Age=0/);
    expect((await get("/api/agents", second.cookie)).status).toBe(401);
  });

  it("refuses mutations from other sites or without the CSRF token, and changes nothing", async () => {
    const session = await signIn();
    const refusals: [Record<string, string>, string | undefined, RegExp][] = [
      [{ "sec-fetch-site": "cross-site" }, session.csrf, /Sec-Fetch-Site: cross-site/],
      [{ "sec-fetch-site": "same-site" }, session.csrf, /Sec-Fetch-Site: same-site/],
      [{ origin: "https://evil.example" }, session.csrf, /Origin https:\/\/evil.example is not this dashboard/],
      [{ origin: "null" }, session.csrf, /cross-site request refused/],
      [{}, undefined, /CSRF token/],
      [{}, "not-the-token", /CSRF token/],
    ];
    for (const [headers, csrf, message] of refusals) {
      const response = await post(`/api/batches/${B1}/cancel`, { cookie: session.cookie, csrf }, headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
    const login = await fetch(`${base}/api/session`, { method: "POST", headers: { "content-type": "application/json", "sec-fetch-site": "cross-site" }, body: JSON.stringify({ token: TOKEN }) });
    expect(login.status).toBe(403);
    expect((await batchStore.counts(farm.db, B1))?.state).toBe("running");
  });

  it("lists batches, failures by reason and items by index or state", async () => {
    const { cookie } = await signIn();
    const batches = (await (await get("/api/batches?state=live", cookie)).json()) as { batches: { id: string; done: number; failed: number }[] };
    expect(batches.batches).toEqual([expect.objectContaining({ id: B1, done: 3, failed: 2 })]);
    const detail = (await (await get(`/api/batches/${B1}`, cookie)).json()) as { failureReasons: unknown[] };
    expect(detail.failureReasons).toEqual([{ error: "CUDA out of memory", count: 2, firstIndex: 3 }]);
    const items = (await (await get(`/api/batches/${B1}/items?from=2&limit=3`, cookie)).json()) as { total: number; items: { index: number; state: string; hasImage: boolean }[] };
    expect(items.total).toBe(6);
    expect(items.items.map((i) => [i.index, i.state, i.hasImage])).toEqual([[2, "done", true], [3, "failed", false], [4, "failed", false]]);
    const failed = (await (await get(`/api/batches/${B1}/items?state=failed&limit=1`, cookie)).json()) as { items: { index: number }[]; next: string };
    expect(failed.items.map((i) => i.index)).toEqual([3]);
    const rest = (await (await get(`/api/batches/${B1}/items?state=failed&after=${failed.next}`, cookie)).json()) as { items: { index: number }[] };
    expect(rest.items.map((i) => i.index)).toEqual([4]);
    expect((await get(`/api/batches/${B1}/items?state=bogus`, cookie)).status).toBe(400);
    expect((await get("/api/batches/nope", cookie)).status).toBe(404);
    expect((await get("/api/nothing-here", cookie)).status).toBe(404);
    expect((await get(`/api/batches/${B1}/cancel`, cookie)).status).toBe(405);
  });

  it("serves an item with the parameters read from its PNG, and redirects to the image in the bucket", async () => {
    const { cookie } = await signIn();
    const [tile] = ((await (await get(`/api/batches/${B1}/items?from=1&limit=1`, cookie)).json()) as { items: { itemId: string }[] }).items;
    const detail = (await (await get(`/api/items/${tile!.itemId}`, cookie)).json()) as { item: { seed: number; output: { agentId: string } }; parameters: string };
    expect(detail.item).toMatchObject({ seed: 41, output: { agentId: "gpu-7" } });
    expect(detail.parameters).toMatch(/Seed: 41, Size: 64x64$/);
    const image = await fetch(`${base}/api/items/${tile!.itemId}/image`, { headers: { cookie }, redirect: "manual" });
    expect(image.status).toBe(302);
    const png = new Uint8Array(await (await fetch(image.headers.get("location")!)).arrayBuffer());
    expect(readPngText(png, { maxTextBytes: 1024 }).parameters).toBe(detail.parameters);
  });

  it("makes a tile's thumbnail once, on first request, and keeps it in the bucket beside the image", async () => {
    const { cookie } = await signIn();
    const [tile] = ((await (await get(`/api/batches/${B1}/items?from=2&limit=1`, cookie)).json()) as { items: { itemId: string; seed: number }[] }).items;
    // A 600x300 gradient: red rises along x, green along y.
    const [width, height] = [600, 300];
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.set([Math.floor((x * 255) / (width - 1)), Math.floor((y * 255) / (height - 1)), 77], (y * width + x) * 3);
    const key = `studio/${B1}/${String(2).padStart(8, "0")}-${tile!.seed}.png`;
    await farm.store.put(key, encodePng(rgb, width, height), "image/png");
    const thumbnailOf = async () => {
      const redirect = await fetch(`${base}/api/items/${tile!.itemId}/thumbnail`, { headers: { cookie }, redirect: "manual" });
      expect(redirect.status).toBe(302);
      return decodePng(new Uint8Array(await (await fetch(redirect.headers.get("location")!)).arrayBuffer()));
    };
    const thumb = await thumbnailOf();
    expect([thumb.width, thumb.height]).toEqual([256, 128]);
    // Each pixel is the mean of its box of the source, computed here from the gradient's formula.
    for (const [tx, ty] of [[0, 0], [100, 50], [255, 127]] as const) {
      const [x0, x1] = [Math.floor((tx * width) / 256), Math.floor(((tx + 1) * width) / 256)];
      const [y0, y1] = [Math.floor((ty * height) / 128), Math.floor(((ty + 1) * height) / 128)];
      const mean = (from: number, to: number, size: number) => {
        let sum = 0;
        for (let v = from; v < to; v++) sum += Math.floor((v * 255) / (size - 1));
        return Math.round(sum / (to - from));
      };
      const at = (ty * 256 + tx) * 3;
      expect([...thumb.pixels.subarray(at, at + 3)]).toEqual([mean(x0, x1, width), mean(y0, y1, height), 77]);
    }
    const stored = await farm.store.head(`studio/${B1}/thumbnails/256/${String(2).padStart(8, "0")}-${tile!.seed}.png`);
    expect(stored?.bytes).toBeGreaterThan(0);
    // Made once: with the image replaced by a black one, the first thumbnail is still what is served.
    await farm.store.put(key, encodePng(new Uint8Array(rgb.length), width, height), "image/png");
    expect((await thumbnailOf()).pixels).toEqual(thumb.pixels);
    expect((await get("/api/items/999999/thumbnail", cookie)).status).toBe(404);
  });

  it("re-runs failed items and streams the progress over Server-Sent Events", async () => {
    const session = await signIn();
    const controller = new AbortController();
    const stream = await fetch(`${base}/api/events`, { headers: { cookie: session.cookie }, signal: controller.signal });
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = "";
    const until = async (pattern: RegExp) => {
      while (!pattern.test(received)) {
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`stream ended before ${pattern}:\n${received}`);
        received += chunk.value;
      }
    };
    await until(/event: hello/);

    const rerun = await post(`/api/batches/${B1}/rerun-failed`, session);
    expect(rerun.status).toBe(200);
    expect(await rerun.json()).toMatchObject({ requeued: 2, batch: { failed: 0, done: 3, state: "running" } });
    await until(new RegExp(`event: progress\ndata: \\[.*"batchId":"${B1}".*"failed":0`));
    const rows = await farm.db.query<{ state: string; attempts: number }>(`SELECT state, attempts FROM item WHERE batch_id = '${B1}' AND index IN (3, 4)`);
    expect(rows).toEqual([{ state: "queued", attempts: 0 }, { state: "queued", attempts: 0 }]);

    // Farm load samples reach the stream too.
    await until(/event: load\ndata: \{.*"agents":1/);
    // Signing out ends the session's streams.
    await fetch(`${base}/api/session`, { method: "DELETE", headers: { cookie: session.cookie, "x-csrf-token": session.csrf } });
    while (!(await reader.read()).done);
    controller.abort();
  });

  it("cancels through the Farm API's own handler", async () => {
    const session = await signIn();
    const response = await post(`/api/batches/${B1}/cancel`, session);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ batch: { state: "cancelled", cancelled: 3 } });
    const again = await post(`/api/batches/${B1}/rerun-failed`, session);
    expect(again.status).toBe(409);
  });

  it("throttles token guessing per address", async () => {
    const attempt = () => fetch(`${base}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: "wrong" }) });
    const statuses: number[] = [];
    for (let n = 0; n < 11; n++) statuses.push((await attempt()).status);
    // Earlier tests spent one wrong guess from this address already.
    expect(statuses.slice(0, 9).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^atelier_dashboard_sign_ins_total\{outcome="throttled"\} [1-9]/m);
    expect(metrics).toMatch(/^atelier_dashboard_sign_ins_total\{outcome="ok"\} [1-9]/m);
  });

  it("answers the standard gRPC health check", async () => {
    const Health = grpc.makeGenericClientConstructor(healthService, "Health");
    const client = new Health(`127.0.0.1:${farm.coordinator.grpcPort}`, grpc.credentials.createInsecure()) as unknown as {
      check(request: { service: string }, callback: (error: grpc.ServiceError | null, response?: { status: string }) => void): void;
      close(): void;
    };
    const check = (service: string) =>
      new Promise<string>((resolve, reject) => client.check({ service }, (error, response) => (error ? reject(error) : resolve(response!.status))));
    try {
      expect(await check("")).toBe("SERVING");
      expect(await check("atelier.v1.Farm")).toBe("SERVING");
      expect(await check("atelier.v1.AgentLink")).toBe("SERVING");
      await expect(check("atelier.v1.Nothing")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    } finally {
      client.close();
    }
  });
});
