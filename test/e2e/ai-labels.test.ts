import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodePng } from "@atelier/diffusion";
import { XMP_KEYWORD } from "@atelier/diffusion/png";
import { ATELIER_MARK_BITS, checkAtelierMark, readWatermark } from "@atelier/diffusion/watermark";
import jpeg from "jpeg-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAtelier } from "../support/cli-process.ts";
import { ensureDebianPackages } from "../support/debian-packages.ts";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { promptSpecs } from "../support/prompt-files.ts";

const ITEMS = 8;
const SIDE = 256;
const TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newsworthy/digitalsourcetype/trainedAlgorithmicMedia";
/**
 * The stated bound: after JPEG quality 90 (jpeg-js, 4:4:4), at most 1 of the
 * mark's 64 bits of an image of 256x256 or more reads wrong (BER <= 1/64),
 * and at most 1% of the 8x8 blocks read wrong on their own, before the vote.
 * Measured on these demo images (saturated flat colours, the hard case for
 * a colour watermark): 0 payload bits and 0 blocks wrong.
 */
const MAX_PAYLOAD_BER = 1 / 64;
const MAX_BLOCK_BER = 0.01;

function toRgba(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let k = 0; k < width * height; k++) {
    rgba.set(rgb.subarray(3 * k, 3 * k + 3), 4 * k);
    rgba[4 * k + 3] = 255;
  }
  return rgba;
}

describe("AI labels on every image of a farm run", () => {
  let farm: FarmFixture;
  let scratch: string;
  beforeAll(async () => {
    ensureDebianPackages("exiftool", ["libimage-exiftool-perl"], () => spawnSync("exiftool", ["-ver"]).status === 0);
    scratch = mkdtempSync(join(tmpdir(), "atelier-labels-"));
    farm = await startFarm({ coordinatorEnv: { ATELIER_WATERMARK: "true" } });
    await farm.startAgent("agent-1");
  });
  afterAll(async () => {
    await farm?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("labels every output in XMP that exiftool reads, keeps A1111's parameters, and stamps a watermark that survives JPEG q90", async () => {
    const { batchId } = await farm.client.submitBatch(
      { tenant: "e2e", name: "labels", priority: 0, baseSeed: 0, defaults: { model: "atelier-demo", width: SIDE, height: SIDE, steps: 4, guidance: 7.5, sampler: "euler" } },
      promptSpecs(ITEMS),
    );
    expect(await finalProgress(farm.client, batchId)).toMatchObject({ state: "BATCH_STATE_COMPLETED", done: ITEMS });
    expect(await inspectBatch(farm.database.db, farm.store, batchId)).toEqual(cleanState(ITEMS));

    const [{ createdAt }] = (await farm.database.db.query<{ createdAt: Date }>(`SELECT created_at AS "createdAt" FROM batch WHERE id = $1`, [batchId])) as [{ createdAt: Date }];
    const rows = await farm.database.db.query<{ key: string; itemId: string; seed: string; prompt: string }>(
      `SELECT o.key, o.item_id::text AS "itemId", i.seed::text AS seed, i.prompt FROM output o JOIN item i ON i.id = o.item_id WHERE o.batch_id = $1 ORDER BY i.index`,
      [batchId],
    );
    expect(rows).toHaveLength(ITEMS);
    const files = new Map<string, { itemId: string; png: Uint8Array; seed: string; prompt: string }>();
    for (const [i, row] of rows.entries()) {
      const path = join(scratch, `out-${i}.png`);
      const png = new Uint8Array(await farm.store.get(row.key));
      writeFileSync(path, png);
      files.set(path, { ...row, png });
    }

    // exiftool (Debian's libimage-exiftool-perl), not our parser, reads the labels.
    const exif = spawnSync("exiftool", ["-j", "-n", "-G1", "-XMP:all", "-PNG:Parameters", ...files.keys()], { encoding: "utf8" });
    expect(exif.status, exif.stderr).toBe(0);
    const tags = JSON.parse(exif.stdout) as Record<string, string | number>[];
    expect(tags).toHaveLength(ITEMS);
    const createdAtExif = createdAt.toISOString().replace(/^(\d+)-(\d+)-(\d+)T/, "$1:$2:$3 ");
    for (const read of tags) {
      const file = files.get(String(read["SourceFile"]))!;
      const modelHash = (JSON.parse(decodePng(file.png).text["atelier"]!) as { modelHash: string }).modelHash;
      expect(read["XMP-iptcExt:DigitalSourceType"]).toBe(TRAINED_ALGORITHMIC_MEDIA);
      expect(read["XMP-xmp:CreatorTool"]).toBe("Atelier 0.1.0");
      expect(read["XMP-xmp:CreateDate"]).toBe(createdAtExif);
      expect(read["XMP-atelier:Model"]).toBe("atelier-demo");
      expect(read["XMP-atelier:ModelHash"]).toBe(modelHash);
      expect(read["XMP-atelier:BatchId"]).toBe(batchId);
      expect(String(read["XMP-atelier:ItemId"])).toBe(file.itemId);
      // A1111's chunk, as A1111 writes it, beside the label.
      expect(read["PNG:Parameters"]).toBe(`${file.prompt}\nSteps: 4, Sampler: Euler, CFG scale: 7.5, Seed: ${file.seed}, Size: ${SIDE}x${SIDE}, Model hash: ${modelHash}, Model: atelier-demo`);
    }

    // The watermark: exact in the PNG; after JPEG q90 within the stated bound.
    let payloadErrors = 0;
    let blockErrors = 0;
    let blocks = 0;
    for (const [path, file] of files) {
      const image = decodePng(file.png);
      expect(image.text[XMP_KEYWORD]).toContain(TRAINED_ALGORITHMIC_MEDIA);
      expect(checkAtelierMark(image.pixels, SIDE, SIDE)).toMatchObject({ present: true, bitErrors: 0 });
      const jpegBytes = jpeg.encode({ data: toRgba(image.pixels, SIDE, SIDE), width: SIDE, height: SIDE }, 90).data;
      const decoded = jpeg.decode(jpegBytes, { useTArray: true, formatAsRGBA: false });
      const check = checkAtelierMark(decoded.data, SIDE, SIDE);
      expect(check.present).toBe(true);
      expect(check.bitErrorRate).toBeLessThanOrEqual(MAX_PAYLOAD_BER);
      payloadErrors += check.bitErrors;
      const perBlock = readWatermark(decoded.data, SIDE, SIDE, check.blocks).bits;
      blockErrors += perBlock.filter((bit, k) => bit !== ATELIER_MARK_BITS[k % ATELIER_MARK_BITS.length]).length;
      blocks += perBlock.length;
      writeFileSync(path.replace(/\.png$/, ".jpg"), jpegBytes);
    }
    expect(blockErrors / blocks).toBeLessThanOrEqual(MAX_BLOCK_BER);
    console.log(JSON.stringify({ watermarkJpegQ90: { images: ITEMS, side: SIDE, payloadBer: payloadErrors / (64 * ITEMS), blockBer: +(blockErrors / blocks).toFixed(4) } }));

    // `atelier verify` reads both back: from the PNG, label and mark; from the JPEG, the mark.
    const [first] = files.keys();
    const png = await runAtelier(["verify", first!]);
    expect(png.code, png.output).toBe(0);
    expect(png.output).toContain(`DigitalSourceType ${TRAINED_ALGORITHMIC_MEDIA}`);
    expect(png.output).toMatch(/watermark "Atelier1": present \(0 of 64 bits differ/);
    const jpg = await runAtelier(["verify", first!.replace(/\.png$/, ".jpg"), "--json"]);
    expect(jpg.code, jpg.output).toBe(0);
    expect(JSON.parse(jpg.output)).toMatchObject({ label: null, watermark: { present: true } });
    // An image with neither: exit 1.
    const blank = join(scratch, "blank.jpg");
    writeFileSync(blank, jpeg.encode({ data: new Uint8Array(SIDE * SIDE * 4).fill(200), width: SIDE, height: SIDE }, 90).data);
    const none = await runAtelier(["verify", blank]);
    expect(none.code, none.output).toBe(1);
    expect(none.output).toContain("not found");
  }, 180_000);
});
