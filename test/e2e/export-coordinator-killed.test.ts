import { createHash } from "node:crypto";
import type { ExportJobInfo } from "@atelier/dashboard/api-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/cli-process.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptSpecs } from "../support/prompt-files.ts";

// A server-side export whose coordinator is SIGKILLed mid-export, resumed
// from two coordinators at once on the same database and bucket (the killed
// one started again, and another): exactly one takes the job over, and the
// shards it leaves are byte for byte those of an export that ran through.

const TOKEN = "export-killed-test-admin-token-1";
const ITEMS = 120;
// Small shards: many commits, so that the kill lands mid-export, after the first.
const SHARD_ITEMS = 2;
const REQUEST = { format: "both", shardItems: SHARD_ITEMS, minClipScore: null, includeRejected: false };

/** A dashboard session on one coordinator, as the page holds it: its cookie and CSRF token. */
interface Session {
  base: string;
  cookie: string;
  csrfToken: string;
}

async function signIn(httpPort: number): Promise<Session> {
  const base = `http://127.0.0.1:${httpPort}`;
  const response = await fetch(`${base}/api/session`, {
    method: "POST", headers: { "content-type": "application/json", origin: base, "sec-fetch-site": "same-origin" }, body: JSON.stringify({ token: TOKEN }),
  });
  expect(response.status).toBe(200);
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { base, cookie: response.headers.get("set-cookie")!.split(";")[0]!, csrfToken };
}

async function post(session: Session, path: string, body?: unknown): Promise<{ status: number; json: ExportJobInfo & { error?: string } }> {
  const response = await fetch(`${session.base}${path}`, {
    method: "POST",
    headers: { cookie: session.cookie, origin: session.base, "sec-fetch-site": "same-origin", "x-csrf-token": session.csrfToken, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as ExportJobInfo & { error?: string } };
}

async function exportsOf(session: Session, batchId: string): Promise<ExportJobInfo[]> {
  const response = await fetch(`${session.base}/api/batches/${batchId}/exports`, { headers: { cookie: session.cookie } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { exports: ExportJobInfo[] }).exports;
}

describe("a server-side export whose coordinator is killed", () => {
  let farm: FarmFixture;
  let batchId: string;

  beforeAll(async () => {
    farm = await startFarm({ coordinators: 2, coordinatorEnv: { ATELIER_ADMIN_TOKEN: TOKEN } });
    await farm.startAgent("exporter-agent");
    const defaults = { model: "atelier-demo", width: 64, height: 64, steps: 2, guidance: 7.5, sampler: "euler" };
    ({ batchId } = await farm.client.submitBatch({ tenant: "studio", name: "to-export", priority: 0, baseSeed: 0, defaults }, promptSpecs(ITEMS)));
    expect((await finalProgress(farm.client, batchId))?.done).toBe(ITEMS);
  }, 300_000);
  afterAll(async () => {
    await farm?.close();
  });

  /** sha256 of every file under the prefix, by name. */
  const digests = async (prefix: string) => {
    const out: Record<string, string> = {};
    for await (const object of farm.store.list(prefix)) out[object.key.slice(prefix.length)] = createHash("sha256").update(await farm.store.get(object.key)).digest("hex");
    return out;
  };
  const completed = (session: Session, id: string) => waitFor(`export ${id} to complete`, async () => {
    const job = (await exportsOf(session, batchId)).find((j) => j.id === id);
    if (job?.state === "failed") throw new Error(`export ${id} failed: ${job.error}`);
    return job?.state === "complete" ? job : undefined;
  }, 120_000, 200);

  it("resumes on exactly one of two coordinators racing, into shards identical to an uninterrupted export's", async () => {
    const [first, second] = farm.coordinators;
    const b = await signIn(second!.httpPort);
    // The reference: the same export, run through on the other coordinator.
    const whole = await post(b, `/api/batches/${batchId}/exports`, REQUEST);
    expect(whole.status).toBe(200);
    const reference = await completed(b, whole.json.id);
    expect(reference).toMatchObject({ samples: ITEMS, total: ITEMS, shards: ITEMS / SHARD_ITEMS });

    const a = await signIn(first!.httpPort);
    const started = await post(a, `/api/batches/${batchId}/exports`, REQUEST);
    expect(started.status).toBe(200);
    const { id } = started.json;
    const prefix = `studio/${batchId}/exports/${id}/`;
    // Killed once _stats.json lists its first shard.
    await waitFor("the export's first listed shard", async () => (await farm.store.head(`${prefix}_stats.json`)) !== null, 60_000, 10);
    first!.process.child.kill("SIGKILL");
    await first!.process.exited;
    // It died mid-export: what it left lists some shards, not all (so the resumed run skips some).
    const left = JSON.parse(Buffer.from(await farm.store.get(`${prefix}_stats.json`)).toString("utf8")) as { complete: boolean; shards: unknown[] };
    expect(left.complete).toBe(false);
    expect(left.shards.length).toBeLessThan(ITEMS / SHARD_ITEMS);

    // The dead coordinator's export reads as interrupted once its heartbeat has been silent (15 s).
    await waitFor("the export to read as interrupted", async () => (await exportsOf(b, batchId)).find((j) => j.id === id)?.state === "interrupted", 60_000, 250);
    const restarted = await farm.restartCoordinator(0);
    const a2 = await signIn(restarted.httpPort);
    const answers = await Promise.all([a2, b].map((session) => post(session, `/api/batches/${batchId}/exports/${id}/resume`)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect(answers.find((answer) => answer.status === 409)!.json.error).toBe(`export ${id} is running; it can be resumed only once it has stopped`);
    const [{ epoch }] = await farm.database.db.query<{ epoch: number }>(`SELECT epoch FROM export_job WHERE id = $1`, [id]) as [{ epoch: number }];
    expect(epoch).toBe(2);

    // Both coordinators' API show it to 100%, whichever runs it.
    for (const session of [a2, b]) {
      const done = await completed(session, id);
      expect(done).toMatchObject({ samples: ITEMS, total: ITEMS, shards: ITEMS / SHARD_ITEMS });
    }
    const [resumed, uninterrupted] = [await digests(prefix), await digests(`studio/${batchId}/exports/${whole.json.id}/`)];
    expect(Object.keys(uninterrupted)).toHaveLength(1 + 2 * (ITEMS / SHARD_ITEMS));
    expect(resumed).toEqual(uninterrupted);
    const audit = await farm.database.db.query<{ action: string }>(`SELECT action FROM audit_event WHERE target = $1 AND action LIKE 'dataset.export%' ORDER BY id`, [batchId]);
    expect(audit.map((row) => row.action)).toEqual(["dataset.export", "dataset.export", "dataset.export.resume"]);
  }, 240_000);
});
