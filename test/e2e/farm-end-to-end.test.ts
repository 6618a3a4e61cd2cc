import { createHash } from "node:crypto";
import { join } from "node:path";
import { decodePng } from "@atelier/diffusion";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAtelier } from "../support/cli-process.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { promptAt, writeJsonl } from "../support/prompt-files.ts";

const ITEMS = 300;
const PAIRS = 30; // item i and item i + 150 share prompt and seed
const SEED_SHARERS = 200; // item i + 200 shares item i's seed, not its prompt

describe("a coordinator and three agents as separate processes", () => {
  let farm: FarmFixture;
  beforeAll(async () => {
    farm = await startFarm();
    // agent-3 renders several images per UNet call: its images must be the others' byte for byte.
    await Promise.all(["agent-1", "agent-2", "agent-3"].map((name) => farm.startAgent(name, name === "agent-3" ? { ATELIER_BATCH_MEMORY_MB: "4096" } : {})));
  });
  afterAll(() => farm?.close());

  it("renders 300 prompts into 300 objects and 300 rows with matching checksums; a seed renders identically on any agent", async () => {
    const lines = Array.from({ length: ITEMS }, (_, i) => {
      const twin = i >= 150 && i < 150 + PAIRS ? i - 150 : i;
      const seedOf = i >= SEED_SHARERS && i < SEED_SHARERS + PAIRS ? i - SEED_SHARERS : twin;
      return { prompt: promptAt(twin), seed: 1_000 + seedOf };
    });
    const file = writeJsonl(join(farm.modelsDir, "..", "prompts.jsonl"), lines);
    const started = performance.now();
    const run = await runAtelier(
      ["submit", file, "--coordinator", farm.coordinatorAddress, "--width", "64", "--height", "64", "--steps", "8", "--watch"],
      farm.cliEnv,
    );
    const seconds = (performance.now() - started) / 1000;
    expect(run.output).toMatch(/completed: 300 done, 0 failed/);
    expect(run.code).toBe(0);
    const batchId = /batch ([0-9a-f-]{36}): 300 images queued/.exec(run.output)![1]!;
    console.log(JSON.stringify({ e2e: { items: ITEMS, agents: 3, seconds: +seconds.toFixed(2), imagesPerSecond: +(ITEMS / seconds).toFixed(1) } }));

    expect(await inspectBatch(farm.database.db, farm.store, batchId)).toEqual(cleanState(ITEMS));

    const rows = await farm.database.db.query<{ index: number; key: string; agentId: string }>(
      `SELECT i.index, o.key, o.agent_id AS "agentId" FROM output o JOIN item i ON i.id = o.item_id WHERE o.batch_id = $1`,
      [batchId],
    );
    const byIndex = new Map(rows.map((row) => [row.index, row]));
    // Pairs of items with one prompt and seed, rendered on different agents (their pixels are compared below:
    // the files differ, as each names its own item in its AI label).
    const acrossAgents = new Set<string>();
    for (let i = 0; i < PAIRS; i++) {
      const [a, b] = [byIndex.get(i)!, byIndex.get(150 + i)!];
      if (a.agentId !== b.agentId) acrossAgents.add([a.agentId, b.agentId].sort().join("+"));
    }
    expect([...acrossAgents].some((pair) => pair.includes("agent-3"))).toBe(true);
    // One prompt and seed give the same picture on any agent; different prompts give different pictures: two
    // prompts under one seed differ, and each prompt draws its own. Compared by pixels: the files differ
    // anyway, as each carries its prompt, seed and item in text chunks (and the demo model draws one prompt
    // alike under most seeds).
    const pictures = new Map<number, string>();
    for (const row of rows) pictures.set(row.index, createHash("sha256").update(decodePng(await farm.store.get(row.key)).pixels).digest("hex"));
    for (let i = 0; i < PAIRS; i++) {
      expect(lines[SEED_SHARERS + i]!.seed).toBe(lines[i]!.seed);
      expect(lines[SEED_SHARERS + i]!.prompt).not.toBe(lines[i]!.prompt);
      expect(pictures.get(SEED_SHARERS + i), `items ${i} and ${SEED_SHARERS + i}: one seed, two prompts`).not.toBe(pictures.get(i));
      expect(pictures.get(150 + i), `items ${i} and ${150 + i}: one prompt and seed`).toBe(pictures.get(i));
    }
    const pictureOfPrompt = new Map<string, string>();
    for (const [index, picture] of [...pictures].sort(([a], [b]) => a - b)) if (!pictureOfPrompt.has(lines[index]!.prompt)) pictureOfPrompt.set(lines[index]!.prompt, picture);
    expect(new Set(pictureOfPrompt.values()).size).toBe(pictureOfPrompt.size);
    const agents = new Set(rows.map((r) => r.agentId));
    expect(agents.size).toBe(3);

    const metrics = await (await fetch(`http://127.0.0.1:${farm.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^atelier_items_completed_total 300$/m);
    expect(metrics).toMatch(/^atelier_agents_connected 3$/m);
    expect(metrics).toMatch(/^atelier_queue_depth 0$/m);
  }, 240_000);
});
