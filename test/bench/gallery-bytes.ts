// Benchmark: the bytes a gallery page of 100 images costs the browser. A farm
// (coordinator and agents as processes on Postgres, NATS and s3rver) renders
// `--items` images of `--size` px; Chromium opens the batch's gallery with a
// window tall enough to show them all and counts the image bytes it fetched
// from the bucket: the tiles' thumbnails, which the coordinator makes on
// first request. For comparison, the bytes of the full images, which the
// tiles loaded before they showed thumbnails.
import { launchChromium } from "../support/chromium.ts";
import { waitFor } from "../support/cli-process.ts";
import { startFarm } from "../support/farm-fixture.ts";
import { promptSpecs } from "../support/prompt-files.ts";
import { note, numericFlags, printResult, round } from "./support/bench-report.ts";

const flags = numericFlags({ items: 100, size: 512, steps: 4, agents: 2 });
const TOKEN = "gallery-bench-admin-token-0123";

const farm = await startFarm({ coordinatorEnv: { ATELIER_ADMIN_TOKEN: TOKEN } });
const chromium = await launchChromium({ viewport: { width: 1440, height: 200 + Math.ceil(flags.items / 7) * 208 } });
try {
  await Promise.all(Array.from({ length: flags.agents }, (_, n) => farm.startAgent(`bench-gpu-${n}`)));
  const settings = { model: "atelier-demo", width: flags.size, height: flags.size, steps: flags.steps, guidance: 7.5, sampler: "euler" };
  const { batchId } = await farm.client.submitBatch({ tenant: "bench", name: "gallery-bytes", priority: 0, baseSeed: 0, defaults: settings }, promptSpecs(flags.items));
  note(`rendering ${flags.items} images of ${flags.size}x${flags.size}`);
  const { db } = farm.database;
  await waitFor("the batch to complete", async () => (await db.query<{ state: string }>(`SELECT state FROM batch WHERE id = $1`, [batchId]))[0]?.state === "completed", 30 * 60_000, 500);

  // The gallery as a browser loads it: every image response from the bucket, and the API's JSON.
  const { page } = chromium;
  const bucketOrigin = new URL(await farm.store.presignGet("probe", { expiresInMs: 60_000 })).origin;
  const images: number[] = [];
  let apiBytes = 0;
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.origin === bucketOrigin && response.status() === 200) void response.body().then((body) => images.push(body.length));
    else if (url.pathname.startsWith("/api/") && response.status() === 200) void response.body().then((body) => (apiBytes += body.length), () => undefined);
  });
  const base = `http://127.0.0.1:${farm.httpPort}`;
  await page.goto(base);
  await page.fill('input[name="token"]', TOKEN);
  await page.click('button[type="submit"]');
  await page.locator('a[data-nav="farm"]').waitFor();
  apiBytes = 0;
  await page.goto(`${base}/#/batches/${batchId}/gallery`);
  await waitFor("every tile's image to load", async () => images.length >= flags.items, 120_000, 100);
  const galleryImageBytes = images.reduce((sum, bytes) => sum + bytes, 0);

  // What the page loaded before it showed thumbnails: every tile's full image.
  const [full] = await db.query<{ bytes: string }>(`SELECT sum(bytes)::text AS bytes FROM output WHERE batch_id = $1`, [batchId]);
  const fullImageBytes = Number(full!.bytes);
  printResult({
    bench: "gallery-bytes",
    items: flags.items,
    size: flags.size,
    imagesLoaded: images.length,
    galleryImageBytes,
    galleryApiBytes: apiBytes,
    avgImageBytes: round(galleryImageBytes / images.length),
    fullImageBytes,
    fullOverGallery: round(fullImageBytes / galleryImageBytes, 1),
  });
} finally {
  await chromium.close();
  await farm.close();
}
