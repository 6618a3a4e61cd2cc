import { mkdtempSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { decodePng } from "@atelier/diffusion";
import { writeTestModel } from "@atelier/diffusion/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAtelier } from "../support/cli-process.ts";
import { finalProgress } from "../support/final-progress.ts";
import { writeJsonl } from "../support/prompt-files.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";

// Content policy as a tenant meets it: set by an operator (`atelier policy
// set`, beside the coordinator), a prompt that breaks it is refused at submit
// with the file, line and matched term, and nothing is written. And an image
// the safety checker flags (a test model's, which flags mean red > 0.6) is
// quarantined: left out of every path that serves an output (the outputs
// listing and its downloads, the gallery's image and thumbnail URLs, the
// dataset export), in the moderation queue with its real pixels until an
// admin releases it, which the audit log shows.

describe("content policy at submit", () => {
  let farm: FarmFixture;
  let operator: Record<string, string>;
  beforeAll(async () => {
    farm = await startFarm();
    operator = { DATABASE_URL: farm.database.url };
  }, 120_000);
  afterAll(() => farm?.close());

  const rowCounts = async () =>
    (await farm.database.db.query<{ batches: number; items: number }>(`SELECT (SELECT count(*)::int FROM batch) AS batches, (SELECT count(*)::int FROM item) AS items`))[0]!;

  it("refuses a blocked term, a named person and a pattern with file, line and the matched text; writes nothing; the tenant's own policy replaces the farm's", async () => {
    const farmWide = await runAtelier(["policy", "set", "--farm", "--block", "gore", "--person", "Jane Q. Public", "--pattern", "\\bnude\\w*"], operator);
    expect(farmWide.code).toBe(0);
    const token = await farm.mintToken("studio");
    const submit = (file: string) => runAtelier(["submit", file, "--coordinator", farm.coordinatorAddress, "--model", "demo"], { ATELIER_TOKEN: token, DATABASE_URL: "" });
    const dir = farm.modelsDir;
    const before = await rowCounts();

    const blocked = writeJsonl(join(dir, "..", "blocked.jsonl"), [{ prompt: "a red circle" }, { prompt: "a blue square" }, { prompt: "a red square, GORE everywhere" }]);
    const refused = await submit(blocked);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(`blocked.jsonl:3: the prompt contains "GORE", a term the farm's content policy (version 1) blocks`);
    expect(await rowCounts()).toEqual(before);

    // The rest through the API, as any client sends items with their source (the CLI sends file:line).
    const client = farm.clientFor(farm.coordinatorAddress, { token });
    const header = { tenant: "", name: "", priority: 0, defaults: { model: "demo", width: 64, height: 64, steps: 4, sampler: "euler" } };
    const send = (lines: string[]) =>
      client.submitBatch(header, lines.map((prompt, i) => ({ prompt, negativePrompt: "", seed: 0, hasSeed: true, count: 1, source: `api.jsonl:${i + 1}` }))).then(
        (result) => `accepted ${result.batchId}`,
        (error: Error & { details?: string }) => error.details ?? error.message,
      );
    expect(await send(["a portrait of jane  q. public on a beach"])).toBe(`api.jsonl:1: the prompt names "jane  q. public", a real person on the named-person list of the farm's content policy (version 1)`);
    expect(await send(["a circle", "nudes in a red circle"])).toBe(`api.jsonl:2: the prompt contains "nudes", which matches the pattern /\\bnude\\w*/ that the farm's content policy (version 1) blocks`);
    expect(await rowCounts()).toEqual(before);
    // Whole words only: "gorenje" is not "gore".
    expect(await send(["a gorenje fridge, red circle"])).toMatch(/^accepted /);

    // The tenant's own policy (a new version) replaces the farm's for it.
    expect((await runAtelier(["policy", "set", "--tenant", "studio", "--block", "fridge"], operator)).code).toBe(0);
    expect(await send(["a red square, GORE everywhere"])).toMatch(/^accepted /);
    expect(await send(["a gorenje fridge, red circle"])).toBe(`api.jsonl:1: the prompt contains "fridge", a term tenant studio's content policy (version 2) blocks`);
    const actions = await farm.database.db.query<{ action: string; target: string }>(`SELECT action, target FROM audit_event WHERE action = 'policy.set' ORDER BY id`);
    expect(actions).toEqual([{ action: "policy.set", target: "farm" }, { action: "policy.set", target: "studio" }]);
  }, 180_000);

  it("quarantines a flagged image: not listed nor served, in the moderation queue; an admin's release or deletion is audited", async () => {
    await writeTestModel(farm.modelsDir, "demo-checked", { safetyChecker: true });
    // The same model without a checker: what the flagged prompts look like when nothing flags them.
    await writeTestModel(farm.modelsDir, "demo-unchecked");
    await farm.startAgent("checker");
    const header = { tenant: "", name: "flagged", priority: 0, defaults: { model: "demo-checked", width: 64, height: 64, steps: 4, sampler: "euler", guidance: 7.5, hasGuidance: true } };
    const items = ["a red square on a red background", "a blue circle on a black background", "a red circle on a red background"].map((prompt, i) => ({ prompt, negativePrompt: "", seed: i, hasSeed: true, count: 1, source: "" }));
    const { batchId } = await farm.client.submitBatch(header, items);
    expect((await finalProgress(farm.client, batchId))?.done).toBe(3);
    const rows = await farm.database.db.query<{ id: string; index: number; itemId: string; verdict: string; quarantined: boolean }>(
      `SELECT o.id::text, i.index, i.id::text AS "itemId", o.safety_verdict AS verdict, o.quarantined FROM output o JOIN item i ON i.id = o.item_id WHERE o.batch_id = $1 ORDER BY i.index`,
      [batchId],
    );
    expect(rows.map((r) => [r.index, r.verdict, r.quarantined])).toEqual([[0, "flagged", true], [1, "passed", false], [2, "flagged", true]]);
    const [flagged, passed, doomed] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];

    // The outputs listing leaves it out, and with it its presigned URL and `atelier outputs --download`.
    const listed = async () => { const keys = []; for await (const output of farm.client.listOutputs(batchId, { urlTtlMs: 60_000 })) keys.push(output.itemId); return keys; };
    expect(await listed()).toEqual([passed.itemId]);
    const downloads = mkdtempSync(join(farm.modelsDir, "..", "downloads-"));
    expect((await runAtelier(["outputs", batchId, "--coordinator", farm.coordinatorAddress, "--download", downloads], farm.cliEnv)).code).toBe(0);
    const [{ key: passedKey }] = await farm.database.db.query<{ key: string }>(`SELECT key FROM output WHERE id = $1`, [passed.id]) as [{ key: string }];
    expect(readdirSync(downloads)).toEqual([passedKey.split("/").at(-1)]);
    // The dataset export (`atelier export` reads these rows) leaves it out too.
    const exported = async () => { const keys = []; for await (const row of farm.client.exportOutputs({ batchId, urlTtlMs: 60_000 })) keys.push(row.key); return keys; };
    expect(await exported()).toEqual([passedKey]);
    // The gallery: no image behind its URL, no tile marked as having one.
    const base = `http://127.0.0.1:${farm.httpPort}`;
    const session = await fetch(`${base}/api/session`, {
      method: "POST", headers: { "content-type": "application/json", origin: base, "sec-fetch-site": "same-origin" }, body: JSON.stringify({ token: farm.adminToken }),
    });
    const cookie = session.headers.get("set-cookie")!.split(";")[0]!;
    const { csrfToken } = (await session.json()) as { csrfToken: string };
    const image = (itemId: string, what = "image") => fetch(`${base}/api/items/${itemId}/${what}`, { headers: { cookie }, redirect: "manual" }).then((r) => r.status);
    expect(await image(flagged.itemId)).toBe(404);
    expect(await image(flagged.itemId, "thumbnail")).toBe(404);
    expect(await image(passed.itemId)).toBe(302);
    expect(await image(passed.itemId, "thumbnail")).toBe(302);
    // Nor does the item's page name its object.
    expect(((await (await fetch(`${base}/api/items/${flagged.itemId}`, { headers: { cookie } })).json()) as { item: { output: unknown } }).item.output).toBeNull();

    // The moderator judges the real picture, not a black square: the object
    // behind the moderation URL has the pixels that the same prompt and seed
    // give where nothing flags them (the model without its checker; the PNGs'
    // metadata differ, so pixels are compared, not bytes).
    const twin = await farm.client.submitBatch({ ...header, name: "unchecked", defaults: { ...header.defaults, model: "demo-unchecked" } }, [items[0]!]);
    expect((await finalProgress(farm.client, twin.batchId))?.done).toBe(1);
    const twinOutputs = [];
    for await (const output of farm.client.listOutputs(twin.batchId, { urlTtlMs: 60_000 })) twinOutputs.push(output);
    expect(twinOutputs).toHaveLength(1);
    const pixelsAt = async (url: string) => decodePng(new Uint8Array(await (await fetch(url)).arrayBuffer()));
    const unflagged = await pixelsAt(twinOutputs[0]!.url);
    const judged = await fetch(`${base}/api/moderation/${flagged.id}/image`, { headers: { cookie }, redirect: "manual" });
    expect(judged.status).toBe(302);
    const seen = await pixelsAt(judged.headers.get("location")!);
    expect([seen.width, seen.height, seen.channels]).toEqual([unflagged.width, unflagged.height, unflagged.channels]);
    expect(Buffer.from(seen.pixels).equals(Buffer.from(unflagged.pixels))).toBe(true);
    // Red enough for the checker to flag, which solid black is not.
    let red = 0;
    for (let p = 0; p < seen.pixels.length; p += seen.channels) red += seen.pixels[p]!;
    expect(red / (seen.pixels.length / seen.channels) / 255).toBeGreaterThan(0.6);

    // In the moderation queue, and released by an admin.
    const queue = await runAtelier(["policy", "queue", "--json"], operator);
    expect(JSON.parse(queue.output)).toEqual([
      expect.objectContaining({ outputId: flagged.id, batchId, safetyVerdict: "flagged", prompt: "a red square on a red background" }),
      expect.objectContaining({ outputId: doomed.id, prompt: "a red circle on a red background" }),
    ]);
    // The dashboard's queue: the same images, each behind a URL for an admin to judge it.
    const dashboardQueue = (await (await fetch(`${base}/api/moderation`, { headers: { cookie } })).json()) as { images: { outputId: string }[] };
    expect(dashboardQueue.images.map((i) => i.outputId)).toEqual([flagged.id, doomed.id]);
    expect((await fetch(`${base}/api/moderation/${doomed.id}/image`, { headers: { cookie }, redirect: "manual" })).status).toBe(302);
    const released = await runAtelier(["policy", "release", flagged.id], operator);
    expect(released.code).toBe(0);
    expect(await farm.database.db.query(`SELECT actor, action FROM audit_event WHERE target = $1`, [flagged.id])).toEqual([{ actor: "local", action: "output.release" }]);
    expect(await image(flagged.itemId)).toBe(302);
    expect((await listed()).sort()).toEqual([flagged.itemId, passed.itemId].sort());
    expect((await runAtelier(["policy", "release", flagged.id], operator)).output).toContain(`no quarantined output ${flagged.id} awaits a decision`);

    // An admin deletes the other from the dashboard: its object goes, it is never served, and the audit log names the admin.
    const [{ key }] = await farm.database.db.query<{ key: string }>(`SELECT key FROM output WHERE id = $1`, [doomed.id]) as [{ key: string }];
    const deleted = await fetch(`${base}/api/moderation/${doomed.id}/delete`, {
      method: "POST", headers: { cookie, origin: base, "sec-fetch-site": "same-origin", "x-csrf-token": csrfToken },
    });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ outputId: doomed.id, decision: "deleted" });
    expect(await farm.store.head(key)).toBeNull();
    expect(await image(doomed.itemId)).toBe(404);
    expect(await farm.database.db.query(`SELECT actor LIKE 'token:%' AS "byToken", action FROM audit_event WHERE target = $1`, [doomed.id])).toEqual([{ byToken: true, action: "output.delete" }]);
    expect(((await (await fetch(`${base}/api/moderation`, { headers: { cookie } })).json()) as { images: unknown[] }).images).toEqual([]);
  }, 240_000);
});
