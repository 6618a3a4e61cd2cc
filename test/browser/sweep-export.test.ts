import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeTestModel } from "@atelier/diffusion/testing";
import { decodePng } from "@atelier/diffusion/png";
import { tableFromIPC } from "apache-arrow";
import { readParquet } from "parquet-wasm";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, launchChromium, type Chromium } from "../support/chromium.ts";
import { REPO_ROOT } from "../support/cli-process.ts";
import { ensureDebianPackages } from "../support/debian-packages.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";

// A sweep on the batch page in Debian's Chromium against a real farm: its
// labelled grid, one Z page at a time, with the safety checker's quarantined
// images withheld; then an export started from the page, watched to 100%,
// read back from the bucket (s3rver) with Python's tarfile and Arrow's
// Parquet reader; and an interrupted export resumed from the page.

const TOKEN = "sweep-export-test-admin-token-3";
const SLOW = { timeout: 30_000 };
const PYTHON = "python3";
// 3 prompts x X sampler (2) x Y seed (2) x Z steps (2) = 24 items. The safety
// checker of the test model flags mostly red images: the red-on-red prompt's
// images are quarantined.
const PROMPTS = ["a {blue|green} circle on a blue background", "a red square on a red background"];
const AXES = [
  { name: "x", setting: "sampler", values: ["euler", "ddim"] },
  { name: "y", setting: "seed", values: ["1", "2"] },
  { name: "z", setting: "steps", values: ["2", "4"] },
];
const TILE = 64;
const GAP = 2; // max(2, tile / 32)
const WITHHELD_GREY = 190;
const SHARD_ITEMS = 5;

interface ItemRow { index: number; key: string; quarantined: boolean; axes: Record<string, string> }
interface ImageElement { complete: boolean; naturalWidth: number; naturalHeight: number; currentSrc: string }
interface PythonRead { samples: { key: string; shard: string; caption: string; json: Record<string, unknown>; png_sha256: string }[]; incomplete: string[] }

describe("a sweep's grid and a server-side export on the batch page", () => {
  let farm: FarmFixture;
  let chromium: Chromium;
  let page: Page;
  let base: string;
  let batchId: string;
  let items: ItemRow[];
  let scratch: string;

  beforeAll(async () => {
    ensureDebianPackages("Python 3", ["python3"], () => spawnSync(PYTHON, ["--version"]).status === 0);
    scratch = mkdtempSync(join(tmpdir(), "atelier-sweep-export-"));
    farm = await startFarm({ coordinatorEnv: { ATELIER_ADMIN_TOKEN: TOKEN } });
    await writeTestModel(farm.modelsDir, "demo-checked", { safetyChecker: true });
    await farm.startAgent("sweeper");
    const defaults = { model: "demo-checked", width: TILE, height: TILE, steps: 4, guidance: 7.5, sampler: "euler" };
    ({ batchId } = await farm.client.submitPlan({ tenant: "studio", name: "sweep", priority: 0, baseSeed: 0, defaults }, { prompts: PROMPTS, axes: AXES }));
    expect((await finalProgress(farm.client, batchId))?.done).toBe(24);
    items = await farm.database.db.query<ItemRow>(
      `SELECT i.index, o.key, o.quarantined, i.axes FROM item i JOIN output o ON o.item_id = i.id AND o.accepted WHERE i.batch_id = $1 ORDER BY i.index`,
      [batchId],
    );
    base = `http://127.0.0.1:${farm.httpPort}`;
    chromium = await launchChromium({ viewport: { width: 1280, height: 900 } });
    ({ page } = chromium);
  }, 300_000);
  afterAll(async () => {
    await chromium?.close();
    await farm?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** The PNG the page's grid image shows, fetched by the page itself (its session cookie), decoded. */
  const gridShown = async () => {
    const image = page.locator(".sweep-panel img[data-grid]");
    await expect.poll(() => image.evaluate((img) => (img as unknown as ImageElement).complete && (img as unknown as ImageElement).naturalWidth > 0), SLOW).toBe(true);
    const shown = await image.evaluate((img) => {
      const { naturalWidth, naturalHeight, currentSrc } = img as unknown as ImageElement;
      return { naturalWidth, naturalHeight, currentSrc };
    });
    const bytes = await page.evaluate(async (src) => [...new Uint8Array(await (await fetch(src)).arrayBuffer())], shown.currentSrc);
    return { ...shown, png: decodePng(new Uint8Array(bytes)) };
  };
  const pixel = (img: { width: number; channels: number; pixels: Uint8Array }, x: number, y: number) => [...img.pixels.subarray((y * img.width + x) * img.channels, (y * img.width + x) * img.channels + 3)];

  /** Checks one Z page: its size is cells x tiles + gaps + the label bands, and every tile is its item's image or withheld. */
  const checkPage = async (z: number, grid: Awaited<ReturnType<typeof gridShown>>) => {
    const { png } = grid;
    expect([grid.naturalWidth, grid.naturalHeight]).toEqual([png.width, png.height]);
    // 3 images per cell: a 2 x 2 contact sheet of 64 px tiles.
    const cell = 2 * TILE;
    const padLeft = (cell * 3) / 4; // A1111's row-label column: three quarters of a cell
    expect(png.width).toBe(padLeft + 2 * (cell + GAP) + GAP);
    const padTop = png.height - (2 * (cell + GAP) + GAP);
    // The band above holds the Z title and the X labels: at least two lines of 12 px text.
    expect(padTop).toBeGreaterThanOrEqual(2 * 12);
    expect(padTop).toBeLessThan(cell);
    const onPage = items.filter((item) => item.axes.z === AXES[2]!.values[z]);
    expect(onPage).toHaveLength(12);
    let withheld = 0;
    for (const [xi, x] of AXES[0]!.values.entries()) {
      for (const [yi, y] of AXES[1]!.values.entries()) {
        const inCell = onPage.filter((item) => item.axes.x === x && item.axes.y === y);
        expect(inCell).toHaveLength(3);
        for (const [n, item] of inCell.entries()) {
          const left = padLeft + GAP + xi * (cell + GAP) + (n % 2) * TILE;
          const top = padTop + GAP + yi * (cell + GAP) + Math.floor(n / 2) * TILE;
          if (item.quarantined) {
            withheld++;
            expect(pixel(png, left + 1, top + 1)).toEqual([WITHHELD_GREY, WITHHELD_GREY, WITHHELD_GREY]);
            continue;
          }
          const image = decodePng(await farm.store.get(item.key));
          for (const [px, py] of [[0, 0], [31, 31], [63, 63], [10, 50]] as const) expect(pixel(png, left + px, top + py)).toEqual(pixel(image, px, py));
        }
      }
    }
    return withheld;
  };

  it("shows the sweep's labelled grid, one Z page at a time, with quarantined images withheld", async () => {
    // The red-on-red prompt's images are flagged; the others are not.
    expect(items.filter((item) => item.quarantined).length).toBeGreaterThan(0);
    expect(items.filter((item) => !item.quarantined).length).toBeGreaterThan(0);

    await page.goto(`${base}/#/batches/${batchId}`);
    await page.fill('input[name="token"]', TOKEN);
    await page.click('button[type="submit"]');
    await page.locator(".sweep-panel img[data-grid]").waitFor({ timeout: 30_000 });
    const first = await gridShown();
    expect(first.currentSrc).toContain("z=0");
    const withheldFirst = await checkPage(0, first);

    await page.selectOption('.sweep-panel select[name="z"]', "1");
    await expect.poll(() => page.locator(".sweep-panel img[data-grid]").evaluate((img) => (img as unknown as ImageElement).currentSrc), SLOW).toContain("z=1");
    const withheldSecond = await checkPage(1, await gridShown());
    expect(withheldFirst + withheldSecond).toBe(items.filter((item) => item.quarantined).length);
    expect(await axeViolations(page)).toEqual([]);
  }, 120_000);

  it("refuses export options it cannot honour, naming the field", async () => {
    const answer = await page.evaluate(async (path) => {
      const { csrfToken } = (await (await fetch("/api/session")).json()) as { csrfToken: string };
      const post = async (body: unknown) => {
        const response = await fetch(path, { method: "POST", headers: { "content-type": "application/json", "x-csrf-token": csrfToken }, body: JSON.stringify(body) });
        return { status: response.status, error: ((await response.json()) as { error: string }).error };
      };
      return [await post({ shardItems: 0 }), await post({ format: "zip" }), await post({ shards: 3 })];
    }, `/api/batches/${batchId}/exports`);
    expect(answer).toEqual([
      { status: 400, error: "shardItems must be a whole number from 1 to 100000 (got 0)" },
      { status: 400, error: 'format must be one of webdataset, parquet, both (got "zip")' },
      { status: 400, error: 'unknown field "shards": an export takes format, shardItems, minClipScore, includeRejected' },
    ]);
  });

  it("starts an export from the page, shows its progress to 100%, and links shards that read back one for one with the rows", async () => {
    await page.fill("#export-shardItems", String(SHARD_ITEMS));
    await page.selectOption("#export-format", "both");
    await page.click('[data-action="export"]');
    const row = page.locator(".export-row").first();
    await expect.poll(() => row.getAttribute("data-state"), SLOW).toBe("complete");
    expect(await row.locator('[role="progressbar"]').getAttribute("aria-valuenow")).toBe("100");
    const exportId = (await row.getAttribute("data-export"))!;
    await row.locator('a[data-file="_stats.json"]').waitFor(SLOW);
    expect(await axeViolations(page)).toEqual([]);

    // The rows an export takes: accepted, not quarantined, in item order.
    const shown = items.filter((item) => !item.quarantined);
    const shards = Math.ceil(shown.length / SHARD_ITEMS);
    const names = ["_stats.json", ...Array.from({ length: shards }, (_, n) => [`${String(n).padStart(6, "0")}.parquet`, `${String(n).padStart(6, "0")}.tar`]).flat()];
    const links = await row.locator("a[data-file]").evaluateAll((anchors) => anchors.map((a) => [a.getAttribute("data-file")!, a.getAttribute("href")!]));
    expect(links.map(([name]) => name).sort()).toEqual([...names].sort());

    // Every file through its presigned link, straight from the bucket.
    const dir = join(scratch, exportId);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [name, url] of links) {
      const response = await fetch(url!);
      expect(response.status, name).toBe(200);
      writeFileSync(join(dir, name!), new Uint8Array(await response.arrayBuffer()));
    }
    const read = spawnSync(PYTHON, [join(REPO_ROOT, "test/e2e/python/read_webdataset.py"), dir], { encoding: "utf8" });
    expect(read.status, read.stderr).toBe(0);
    const tars = JSON.parse(read.stdout) as PythonRead;
    expect(tars.incomplete).toEqual([]);
    expect(tars.samples).toHaveLength(shown.length);
    const sha = await farm.database.db.query<{ sha256: string }>(
      `SELECT o.sha256 FROM output o JOIN item i ON i.id = o.item_id WHERE o.batch_id = $1 AND o.accepted AND NOT o.quarantined ORDER BY i.index`, [batchId]);
    expect(tars.samples.map((s) => s.png_sha256)).toEqual(sha.map((r) => r.sha256));
    const parquet = names.filter((name) => name.endsWith(".parquet")).flatMap((name) =>
      tableFromIPC(readParquet(new Uint8Array(readFileSync(join(dir, name)))).intoIPCStream()).toArray().map((r) => r.toJSON() as Record<string, unknown>));
    expect(parquet.map((r) => r.sha256)).toEqual(sha.map((r) => r.sha256));
    expect(parquet.map((r) => r.key)).toEqual(tars.samples.map((s) => s.key));
    const stats = JSON.parse(readFileSync(join(dir, "_stats.json"), "utf8")) as { complete: boolean; samples: number; shards: { samples: number }[] };
    expect(stats).toMatchObject({ complete: true, samples: shown.length });
    expect(stats.shards.map((s) => s.samples).reduce((a, b) => a + b, 0)).toBe(shown.length);

    const audit = await farm.database.db.query<{ action: string; target: string; detail: { export: string; shardItems: number } }>(
      `SELECT action, target, detail FROM audit_event WHERE action = 'dataset.export'`);
    expect(audit).toEqual([{ action: "dataset.export", target: batchId, detail: expect.objectContaining({ export: exportId, shardItems: SHARD_ITEMS, format: "both" }) }]);
  }, 180_000);

  it("shows an export whose coordinator died as interrupted, and resumes it after its last whole shard", async () => {
    // What a coordinator killed during its second shard leaves: the job's row
    // still saying running, its heartbeat long silent, and in the bucket a
    // _stats.json with one shard. (Planted here, from the finished export;
    // test/e2e/export-coordinator-killed.test.ts kills a real one.) The
    // first shard planted is another shard's bytes: a resumed export keeps
    // what _stats.json lists and never writes it again, an export started
    // over would.
    const [finished] = await listJobs();
    const id = `${finished!.id.slice(0, 16)}-ffffff`;
    const prefix = finished!.prefix.replace(finished!.id, id);
    const stats = JSON.parse(Buffer.from(await farm.store.get(`${finished!.prefix}_stats.json`)).toString("utf8")) as { complete: boolean; shards: unknown[]; samples: number; accepted: number; rejected: number; imageBytes: number };
    const firstShard = stats.shards[0] as { samples: number; accepted: number; rejected: number; imageBytes: number };
    const partial = { ...stats, complete: false, shards: [firstShard], samples: firstShard.samples, accepted: firstShard.accepted, rejected: firstShard.rejected, imageBytes: firstShard.imageBytes };
    const planted = await farm.store.get(`${finished!.prefix}000001.tar`);
    await farm.store.put(`${prefix}000000.tar`, planted, "application/x-tar");
    await farm.store.put(`${prefix}000000.parquet`, await farm.store.get(`${finished!.prefix}000000.parquet`), "application/vnd.apache.parquet");
    await farm.store.put(`${prefix}_stats.json`, Buffer.from(`${JSON.stringify(partial, null, 2)}\n`), "application/json");
    // And a second shard that went up just before the coordinator died, before _stats.json could list it: written again.
    await farm.store.put(`${prefix}000001.tar`, Buffer.from("half a shard, from a run that died"), "application/x-tar");
    await farm.database.db.query(
      `INSERT INTO export_job (id, batch_id, tenant_id, request, prefix, started_by, owner_id, heartbeat_at, state, total, samples, shards)
       SELECT $1, batch_id, tenant_id, request, $2, started_by, 'a-coordinator-that-died', now() - interval '1 hour', 'running', total, $3, 1 FROM export_job WHERE id = $4`,
      [id, prefix, firstShard.samples, finished!.id],
    );

    await page.reload();
    const row = page.locator(`.export-row[data-export="${id}"]`);
    await expect.poll(() => row.getAttribute("data-state"), SLOW).toBe("interrupted");
    await row.locator('[data-action="resume"]').click();
    await expect.poll(() => row.getAttribute("data-state"), SLOW).toBe("complete");
    expect(await row.locator('[role="progressbar"]').getAttribute("aria-valuenow")).toBe("100");

    // The shard it had stands; every other file is byte for byte the export that ran through.
    const files = async (from: string) => {
      const out: Record<string, string> = {};
      for await (const object of farm.store.list(from)) out[object.key.slice(from.length)] = Buffer.from(await farm.store.get(object.key)).toString("base64");
      return out;
    };
    const [resumed, whole] = [await files(prefix), await files(finished!.prefix)];
    expect(Object.keys(resumed).sort()).toEqual(Object.keys(whole).sort());
    expect(resumed["000000.tar"]).toBe(Buffer.from(planted).toString("base64"));
    for (const name of Object.keys(whole).filter((n) => n !== "000000.tar")) expect(resumed[name], name).toBe(whole[name]);
    const audit = await farm.database.db.query<{ target: string; detail: { export: string } }>(`SELECT target, detail FROM audit_event WHERE action = 'dataset.export.resume'`);
    expect(audit).toEqual([{ target: batchId, detail: expect.objectContaining({ export: id }) }]);
  }, 120_000);

  it("meets WCAG 2 A and AA as axe-core judges it in both themes, and fits a 390 px phone", async () => {
    const found: Record<string, unknown[]> = {};
    for (const colorScheme of ["dark", "light"] as const) {
      await page.emulateMedia({ colorScheme });
      await page.reload();
      await page.locator(".sweep-panel img[data-grid]").waitFor(SLOW);
      await page.locator('.export-row[data-state="complete"] a[data-file="_stats.json"]').first().waitFor(SLOW);
      found[colorScheme] = await axeViolations(page);
    }
    expect(found).toEqual({ dark: [], light: [] });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator('.export-row[data-state="complete"] a[data-file="_stats.json"]').first().waitFor(SLOW);
    // A full-page screenshot is as wide as the page: wider than the screen means something overflows it.
    const shot = await page.screenshot({ fullPage: true });
    expect(shot.readUInt32BE(16)).toBe(390);
    // Panels clip what overflows them, so the page stays 390 px wide whatever they hold: the controls must be on screen.
    for (const selector of [".sweep-panel img[data-grid]", '[data-action="export"]', '.export-row a[data-file="_stats.json"]']) {
      const box = await page.locator(selector).first().boundingBox();
      expect(box!.x + box!.width, selector).toBeLessThanOrEqual(390);
    }
  }, 120_000);

  async function listJobs(): Promise<{ id: string; prefix: string }[]> {
    return farm.database.db.query<{ id: string; prefix: string }>(`SELECT id, prefix FROM export_job WHERE batch_id = $1 ORDER BY id`, [batchId]);
  }
});
