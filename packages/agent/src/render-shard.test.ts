import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { ensureDemoModel } from "@atelier/diffusion";
import type { Assign__Output, ItemResult } from "@atelier/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "./clock.ts";
import type { RenderJob } from "./render-protocol.ts";
import { renderShard } from "./render-shard.ts";
import { RenderFailed, WorkerRenderer, type Rendered, type Renderer } from "./worker-renderer.ts";

// The shard path on a real render worker and a real HTTP store: the renderer
// is asked for the next two images before the current one is uploaded (one
// denoising while the other is decoded), so that it never waits on
// checksums and uploads.
describe("renderShard", () => {
  const dir = mkdtempSync(join(tmpdir(), "atelier-shard-"));
  const stored = new Map<string, Buffer>();
  const events: string[] = [];
  // PUTs to these paths are held until their release is called.
  const held = new Map<string, () => void>();
  const holding = new Set<string>();
  let server: Server;
  let base: string;
  let worker: WorkerRenderer;

  /** The worker renderer, with each request it is asked for written to `events`. */
  const recording = (): Renderer => ({
    ready: () => worker.ready(),
    close: () => Promise.resolve(),
    render(job: RenderJob, signal?: AbortSignal): Promise<Rendered> {
      events.push(`render ${job.seed}`);
      return worker.render(job, signal).catch((error: unknown) => {
        // Pushed before renderShard can see the outcome: it is in `events` when renderShard resolves.
        events.push(`render ${job.seed} ${(error as RenderFailed).cancelled ? "cancelled" : "failed"}`);
        throw error;
      });
    },
  });

  beforeAll(async () => {
    const model = await ensureDemoModel(dir);
    worker = new WorkerRenderer({ models: { "atelier-demo": model }, providers: ["cpu"], intraOpThreads: 1 });
    server = createServer((request, response) => {
      const path = request.url!.split("?")[0]!;
      events.push(`put ${path}`);
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const answer = () => {
          stored.set(path, Buffer.concat(chunks));
          response.writeHead(200).end();
        };
        if (holding.has(path)) held.set(path, answer);
        else answer();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await worker.ready();
  });
  afterAll(async () => {
    await worker.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const SETTINGS = { model: "atelier-demo", width: 128, height: 128, steps: 4, guidance: 7.5, sampler: "euler" };
  const assign = (shardId: string, seeds: number[], size = { width: SETTINGS.width, height: SETTINGS.height, steps: SETTINGS.steps }): Assign__Output => ({
    shardId, epoch: 1, leaseExpiresAtMs: 0, leaseTtlMs: 0, batchId: "", batchCreatedAtMs: 0, watermark: false,
    settings: { ...SETTINGS, ...size, clipSkip: 0, seedSource: "", refinerModel: "", refinerStart: 0, hires: null, upscale: null, architecture: "", hasGuidance: true, clip: null },
    items: seeds.map((seed, index) => ({
      itemId: `${shardId}-${index}`, index, prompt: `a green square number ${seed}`, negativePrompt: "", seed, key: `${shardId}/${index}.png`, uploadUrl: `${base}/${shardId}/${index}.png`, keywords: [],
    })),
  });
  const run = (shard: Assign__Output, signal: AbortSignal, reports: ItemResult[], onRendered?: () => void) =>
    renderShard(shard, {
      renderer: recording(), signal, log: pino({ level: "silent" }), clock: systemClock, uploadAttempts: 2, report: (result) => reports.push(result),
      ...(onRendered ? { onRendered } : {}),
    });

  it("asks for the next two images before uploading the current one, and stores each image byte for byte as rendered alone", async () => {
    events.length = 0;
    const reports: ItemResult[] = [];
    const seeds = [11, 12, 13];
    await run(assign("a", seeds), new AbortController().signal, reports);
    // Two images are asked for at the start; the third once the first is back, before it is uploaded.
    // Uploads overlap, so they may reach the server, and end, in any order.
    expect(events.slice(0, 3)).toEqual(["render 11", "render 12", "render 13"]);
    expect(events.slice(3).sort()).toEqual(["put /a/0.png", "put /a/1.png", "put /a/2.png"]);
    expect(reports.map((r) => r.itemId).sort()).toEqual(["a-0", "a-1", "a-2"]);
    for (const [index, seed] of seeds.entries()) {
      const alone = Buffer.from((await worker.render({ ...SETTINGS, prompt: `a green square number ${seed}`, negativePrompt: "", seed })).png);
      const body = stored.get(`/a/${index}.png`)!;
      expect(body.equals(alone)).toBe(true);
      expect(reports.find((r) => r.itemId === `a-${index}`)!.sha256).toBe(createHash("sha256").update(body).digest("hex"));
    }
  });

  it("reports each image's own time on the renderer, not the time it waited behind the images asked for before it", async () => {
    const image = await worker.render({ ...SETTINGS, prompt: "a green square number 1", negativePrompt: "", seed: 1 });
    // A renderer of one image at a time that takes 100 ms an image on the clock the shard reads: each tick ends the oldest render.
    let now = 0;
    const rendering: (() => void)[] = [];
    const paced: Renderer = { ready: () => Promise.resolve(), close: () => Promise.resolve(), render: () => new Promise((resolve) => rendering.push(() => resolve(image))) };
    const reports: ItemResult[] = [];
    const shard = renderShard(assign("c", [31, 32, 33, 34]), {
      renderer: paced, signal: new AbortController().signal, log: pino({ level: "silent" }), clock: { wallMs: () => now, monotonicMs: () => now }, uploadAttempts: 2, report: (result) => reports.push(result),
    });
    for (let k = 1; k <= 4; k++) {
      await expect.poll(() => rendering.length).toBeGreaterThan(0);
      now += 100;
      rendering.shift()!();
      await expect.poll(() => reports.length).toBe(k);
    }
    await shard;
    // Images 2 to 4 were asked for while the one before them rendered: 200 ms from asking to done, of which 100 their own.
    expect(reports.map((r) => r.renderMs)).toEqual([100, 100, 100, 100]);
  });

  it("keeps rendering while four uploads are slow, and starts a fifth once one of them ends", async () => {
    events.length = 0;
    const slow = ["/d/0.png", "/d/1.png", "/d/2.png", "/d/3.png"];
    for (const path of slow) holding.add(path);
    const reports: ItemResult[] = [];
    const done = run(assign("d", [41, 42, 43, 44, 45, 46]), new AbortController().signal, reports);
    await expect.poll(() => slow.every((path) => held.has(path)), { timeout: 60_000 }).toBe(true);
    // Every image was rendered meanwhile; the fifth waits for an upload to end.
    await expect.poll(() => events.filter((event) => event.startsWith("render")).length, { timeout: 60_000 }).toBe(6);
    expect(events).not.toContain("put /d/4.png");
    expect(reports).toEqual([]);
    held.get("/d/2.png")!();
    await expect.poll(() => events.includes("put /d/4.png")).toBe(true);
    for (const path of ["/d/0.png", "/d/1.png", "/d/3.png"]) held.get(path)!();
    await done;
    for (const path of slow) holding.delete(path);
    expect(reports.map((r) => r.itemId).sort()).toEqual(["d-0", "d-1", "d-2", "d-3", "d-4", "d-5"]);
    expect(reports[0]!.itemId).toBe("d-2");
  });

  it("gives its renderer back once the last image is rendered, while that image's upload is still under way", async () => {
    events.length = 0;
    holding.add("/e/2.png");
    const reports: ItemResult[] = [];
    let renderedAt = -1;
    let settled = false;
    const done = run(assign("e", [51, 52, 53]), new AbortController().signal, reports, () => (renderedAt = events.length)).then(() => (settled = true));
    await expect.poll(() => held.has("/e/2.png"), { timeout: 60_000 }).toBe(true);
    // Told once the third image was back, before its upload; nothing is rendered after.
    expect(renderedAt).toBeGreaterThanOrEqual(3);
    expect(events.slice(0, renderedAt).filter((event) => event.startsWith("render"))).toEqual(["render 51", "render 52", "render 53"]);
    expect(events.slice(renderedAt).filter((event) => event.startsWith("render"))).toEqual([]);
    expect(settled).toBe(false);
    expect(reports.map((r) => r.itemId)).not.toContain("e-2");
    held.get("/e/2.png")!();
    await done;
    holding.delete("/e/2.png");
    expect(reports.map((r) => r.itemId).sort()).toEqual(["e-0", "e-1", "e-2"]);
  });

  it("aborted during an upload, cancels the images asked for ahead, reports nothing more and resolves once the renderer is free", async () => {
    events.length = 0;
    holding.add("/b/0.png");
    const reports: ItemResult[] = [];
    const abort = new AbortController();
    // Long enough (some 0.4 s an image here, against the poll's 50 ms) that the images asked for ahead are still rendering when the abort comes.
    let told = false;
    const done = run(assign("b", [21, 22, 23, 24], { width: 512, height: 512, steps: 150 }), abort.signal, reports, () => (told = true));
    await expect.poll(() => held.has("/b/0.png"), { timeout: 60_000 }).toBe(true);
    abort.abort();
    await done;
    held.get("/b/0.png")!();
    expect(reports).toEqual([]);
    // The second and third images were asked for ahead and then cancelled; the fourth never was.
    expect(events).toEqual(["render 21", "render 22", "render 23", "put /b/0.png", "render 22 cancelled", "render 23 cancelled"]);
    // It never rendered its last image, so it did not say it had (the agent gives the renderer back when the shard ends).
    expect(told).toBe(false);
  });
});
