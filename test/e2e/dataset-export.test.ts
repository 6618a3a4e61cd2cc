import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { startEmbeddedS3, type EmbeddedS3 } from "@atelier/coordinator";
import { tableFromIPC } from "apache-arrow";
import { readParquet } from "parquet-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runAtelier, startAtelier } from "../support/cli-process.ts";
import { ensureDebianPackages } from "../support/debian-packages.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptSpecs } from "../support/prompt-files.ts";

const PYTHON = "python3";
// Two batches, shards running across the boundary between them: prompts, and a plan's sweep over samplers (3 prompts x 2 seeds x 2).
const SIZES = [14, 12];
const SHARD_ITEMS = 5;

interface OutputRow { batchId: string; index: number; seed: number; prompt: string; sha256: string; width: number; height: number; model: string; sampler: string; steps: number; guidance: number; axes: Record<string, string> | null }
interface PythonSample { key: string; shard: string; caption: string; json: Record<string, unknown>; png_sha256: string }
interface PythonRead { samples: PythonSample[]; shards: { name: string; members: string[]; headers: unknown[][] }[]; incomplete: string[] }

/** Every file of an export directory by name, as sha256, the staging folder aside. */
function filesOf(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).filter((name) => !name.startsWith(".")).sort().map((name) => [name, createHash("sha256").update(readFileSync(join(dir, name))).digest("hex")]));
}

describe("atelier export: a dataset from finished batches", () => {
  let farm: FarmFixture;
  let userS3: EmbeddedS3;
  let scratch: string;
  let batches: string[];
  let rows: OutputRow[];
  const exportArgs = (out: string, shardItems = SHARD_ITEMS) => ["export", ...batches, "--coordinator", farm.coordinatorAddress, "--out", out, "--format", "both", "--shard-items", String(shardItems)];

  beforeAll(async () => {
    ensureDebianPackages("Python 3", ["python3"], () => spawnSync(PYTHON, ["--version"]).status === 0);
    scratch = mkdtempSync(join(tmpdir(), "atelier-export-e2e-"));
    farm = await startFarm();
    await farm.startAgent("agent-1");
    batches = [];
    const defaults = { model: "atelier-demo", width: 64, height: 64, steps: 4, guidance: 7.5, sampler: "euler" };
    const submitted = [
      await farm.client.submitBatch({ tenant: "datasets", name: "prompts", priority: 0, baseSeed: 0, defaults }, promptSpecs(SIZES[0]!, 1_000)),
      await farm.client.submitPlan({ tenant: "datasets", name: "sweep", priority: 0, baseSeed: 0, defaults },
        { prompts: ["a {red|blue|green} square"], seeds: [5, 6], axes: [{ name: "x", setting: "sampler", values: ["euler", "ddim"] }] }),
    ];
    for (const [n, { batchId }] of submitted.entries()) {
      expect((await finalProgress(farm.client, batchId))?.done).toBe(SIZES[n]);
      batches.push(batchId);
    }
    // The rows the export must match, in its order: batches as given, then item index.
    rows = (await farm.database.db.query<OutputRow & { seed: string }>(
      `SELECT o.batch_id AS "batchId", i.index, i.seed::text AS seed, i.prompt, o.sha256, o.width, o.height, i.model, i.sampler, i.steps, i.guidance, i.axes
       FROM output o JOIN item i ON i.id = o.item_id WHERE o.batch_id = ANY($1) ORDER BY array_position($1, o.batch_id), i.index`,
      [batches],
    )).map((row) => ({ ...row, seed: Number(row.seed) }));
    expect(rows).toHaveLength(SIZES[0]! + SIZES[1]!);
  }, 180_000);
  afterAll(async () => {
    await farm?.close();
    await userS3?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("writes WebDataset shards that Python's tarfile reads, and Parquet that Arrow's reader reads, both one for one with the output rows; a second run, to s3://bucket/prefix, gives the same bytes", async () => {
    const first = join(scratch, "first");
    const run = await runAtelier(exportArgs(first), farm.cliEnv);
    expect(run.output).toMatch(/26 samples \(26 accepted, 0 rejected\) in 6 shards/);
    expect(run.code).toBe(0);

    const read = spawnSync(PYTHON, [join(REPO_ROOT, "test/e2e/python/read_webdataset.py"), first], { encoding: "utf8" });
    expect(read.stderr).toBe("");
    const tars = JSON.parse(read.stdout) as PythonRead;
    expect(tars.incomplete).toEqual([]);
    expect(tars.shards.map((s) => s.name)).toEqual(["000000.tar", "000001.tar", "000002.tar", "000003.tar", "000004.tar", "000005.tar"]);
    // Fixed headers (mtime 0, uid/gid 0, no user names, 0644): nothing of the host or the clock.
    for (const shard of tars.shards) expect(shard.headers).toEqual([[0, 0, 0, "", "", 0o644]]);
    expect(tars.samples).toHaveLength(rows.length);
    for (const [i, row] of rows.entries()) {
      const sample = tars.samples[i]!;
      expect(sample.key).toBe(`${row.batchId}_${String(row.index).padStart(8, "0")}_${row.seed}`);
      expect(sample.shard).toBe(`${String(Math.floor(i / SHARD_ITEMS)).padStart(6, "0")}.tar`);
      expect(sample.caption).toBe(row.prompt);
      expect(sample.png_sha256).toBe(row.sha256);
      expect(sample.json).toMatchObject({ key: sample.key, batch: row.batchId, index: row.index, caption: row.prompt, seed: row.seed, seed_source: "atelier", model: row.model, sampler: row.sampler, steps: row.steps, guidance: row.guidance, width: row.width, height: row.height, sha256: row.sha256, similarity: null, clip_score: null, accepted: true, fidelity: null, axes: row.axes });
      // The model hash comes from the image's own provenance chunk.
      expect(sample.json.model_hash).toMatch(/^[0-9a-f]{10,64}$/);
      expect(sample.json.model_hash).toBe((sample.json.provenance as { modelHash: string }).modelHash);
    }

    const parquet = readdirSync(first).filter((name) => name.endsWith(".parquet")).sort().flatMap((name) => tableFromIPC(readParquet(readFileSync(join(first, name))).intoIPCStream()).toArray().map((r) => r.toJSON() as Record<string, unknown>));
    expect(parquet.map((r) => ({ key: r.key, caption: r.caption, sha256: r.sha256, seed: Number(r.seed), width: r.width, height: r.height, model: r.model, sampler: r.sampler, steps: r.steps, guidance: r.guidance, clip_score: r.clip_score, similarity: r.similarity, accepted: r.accepted })))
      .toEqual(rows.map((row) => ({ key: `${row.batchId}_${String(row.index).padStart(8, "0")}_${row.seed}`, caption: row.prompt, sha256: row.sha256, seed: row.seed, width: row.width, height: row.height, model: row.model, sampler: row.sampler, steps: row.steps, guidance: row.guidance, clip_score: null, similarity: null, accepted: true })));
    expect(parquet.map((r) => r.model_hash)).toEqual(tars.samples.map((s) => s.json.model_hash));
    expect(parquet.map((r) => r.shard)).toEqual(tars.samples.map((s) => s.shard.replace(".tar", "")));
    // The sweep's items carry their axis value, in both.
    expect(rows.filter((row) => row.axes).map((row) => row.axes!.x)).toEqual(["euler", "ddim", "euler", "ddim", "euler", "ddim", "euler", "ddim", "euler", "ddim", "euler", "ddim"]);
    expect(parquet.map((r) => (r.axes === null ? null : JSON.parse(r.axes as string)))).toEqual(rows.map((row) => row.axes));

    const stats = JSON.parse(readFileSync(join(first, "_stats.json"), "utf8")) as { complete: boolean; samples: number; shards: { shard: string; samples: number }[] };
    expect(stats).toMatchObject({ complete: true, samples: rows.length });
    expect(stats.shards.map((s) => [s.shard, s.samples])).toEqual([["000000", 5], ["000001", 5], ["000002", 5], ["000003", 5], ["000004", 5], ["000005", 1]]);

    // The user's own bucket on another S3-compatible server.
    userS3 = await startEmbeddedS3({ directory: join(scratch, "user-s3") });
    const s3 = new S3Client({ endpoint: userS3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: userS3.accessKeyId, secretAccessKey: userS3.secretAccessKey } });
    await s3.send(new CreateBucketCommand({ Bucket: "datasets" }));
    const awsEnv = { AWS_ENDPOINT_URL_S3: userS3.endpoint, AWS_ACCESS_KEY_ID: userS3.accessKeyId, AWS_SECRET_ACCESS_KEY: userS3.secretAccessKey, AWS_REGION: "us-east-1" };
    const toS3 = await runAtelier(exportArgs("s3://datasets/shapes/v1"), { ...farm.cliEnv, ...awsEnv });
    expect(toS3.code).toBe(0);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "datasets", Prefix: "shapes/v1/" }));
    const objects: Record<string, string> = {};
    for (const { Key } of listed.Contents ?? []) {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: "datasets", Key }))).Body!.transformToByteArray();
      objects[Key!.slice("shapes/v1/".length)] = createHash("sha256").update(body).digest("hex");
    }
    s3.destroy();
    expect(objects).toEqual(filesOf(first));
  }, 120_000);

  it("continues an export killed with SIGKILL to the same shards as one never interrupted", async () => {
    const [whole, killed] = [join(scratch, "whole"), join(scratch, "killed")];
    expect((await runAtelier(exportArgs(whole, 1), farm.cliEnv)).code).toBe(0);

    // Killed as soon as it reports its second shard: the rest (24 shards) cannot be done by then.
    const running = startAtelier(exportArgs(killed, 1), farm.cliEnv);
    running.child.stdout!.on("data", () => {
      if (/shard 000001:/.test(running.output())) running.child.kill("SIGKILL");
    });
    expect(await running.exited).toBe("SIGKILL");
    const cut = JSON.parse(readFileSync(join(killed, "_stats.json"), "utf8")) as { complete: boolean; shards: unknown[] };
    expect(cut.complete).toBe(false);
    expect(cut.shards.length).toBeLessThan(rows.length);
    const resumed = await runAtelier(exportArgs(killed, 1), farm.cliEnv);
    expect(resumed.code).toBe(0);
    expect(resumed.output).toContain(`, ${cut.shards.length} of them from an earlier run`);
    expect(filesOf(killed)).toEqual(filesOf(whole));
    expect(existsSync(join(killed, ".partial"))).toBe(false);
  }, 120_000);

  it("takes CLIP scores and gate verdicts from the output rows: --min-clip-score keeps those at or above it, --include-rejected adds the rejected attempts", async () => {
    // Scores and verdicts as the quality gate records them, on the first batch's rows.
    await farm.database.db.query(`UPDATE output o SET clip_score = 0.1 + 0.03 * i.index, accepted = (i.index % 4 <> 3) FROM item i WHERE i.id = o.item_id AND o.batch_id = $1`, [batches[0]]);
    const expected = await farm.database.db.query<{ index: number; seed: string; clip_score: number; accepted: boolean }>(
      `SELECT i.index, coalesce(o.seed, i.seed)::text AS seed, o.clip_score, o.accepted FROM output o JOIN item i ON i.id = o.item_id
       WHERE o.batch_id = $1 AND o.clip_score >= 0.3 ORDER BY i.index`, [batches[0]]);
    expect(expected.some((row) => !row.accepted)).toBe(true);
    const out = join(scratch, "scored");
    const run = await runAtelier(["export", batches[0]!, "--coordinator", farm.coordinatorAddress, "--out", out, "--format", "parquet", "--min-clip-score", "0.3", "--include-rejected"], farm.cliEnv);
    expect(run.code).toBe(0);
    expect(readdirSync(out).filter((name) => name.endsWith(".tar"))).toEqual([]);
    const parquet = tableFromIPC(readParquet(readFileSync(join(out, "000000.parquet"))).intoIPCStream()).toArray().map((r) => r.toJSON() as Record<string, unknown>);
    expect(parquet.map((r) => ({ key: r.key, similarity: r.similarity, clip_score: r.clip_score, accepted: r.accepted }))).toEqual(
      expected.map((row) => ({ key: `${batches[0]}_${String(row.index).padStart(8, "0")}_${row.seed}`, similarity: row.clip_score, clip_score: 100 * row.clip_score, accepted: row.accepted })),
    );
    const stats = JSON.parse(readFileSync(join(out, "_stats.json"), "utf8")) as { accepted: number; rejected: number };
    expect(stats).toMatchObject({ accepted: expected.filter((row) => row.accepted).length, rejected: expected.filter((row) => !row.accepted).length });
  }, 60_000);

  it("refuses bad options by name and writes nothing", async () => {
    const out = join(scratch, "refused");
    const bad = await runAtelier([...exportArgs(out), "--shard-items", "0"], farm.cliEnv);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain("--shard-items: must be an integer from 1 to 100000");
    const unknown = await runAtelier(["export", "00000000-0000-4000-8000-000000000000", "--coordinator", farm.coordinatorAddress, "--out", out], farm.cliEnv);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain("batch 00000000-0000-4000-8000-000000000000 not found");
    // A batch still queued (no agent has its model) would export differently once it finishes.
    const { batchId: waiting } = await farm.client.submitBatch(
      { tenant: "datasets", name: "waiting", priority: 0, baseSeed: 0, defaults: { model: "no-agent-has-this", width: 64, height: 64, steps: 4, guidance: 7.5, sampler: "euler" } },
      promptSpecs(2),
    );
    const running = await runAtelier(["export", waiting, "--coordinator", farm.coordinatorAddress, "--out", out], farm.cliEnv);
    expect(running.code).toBe(1);
    expect(running.output).toContain(`batch ${waiting} is queued (0 of 2 done): export it once it has finished`);
    expect(existsSync(join(out, "_stats.json"))).toBe(false);
  }, 60_000);
});
