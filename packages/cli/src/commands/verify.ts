import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { decodePng, hasPngSignature, parseXmp, TRAINED_ALGORITHMIC_MEDIA, XMP_KEYWORD } from "@atelier/diffusion/png";
import { ATELIER_MARK_TEXT, checkAtelierMark, MARK_MAX_BIT_ERRORS } from "@atelier/diffusion/watermark";
import jpeg from "jpeg-js";
import { CliError } from "../cli-error.ts";

const JPEG_SOI = [0xff, 0xd8, 0xff];
/** A JPEG whose header claims more is refused before decoding (jpeg-js's own default is 100 MP). */
const MAX_JPEG_MEGAPIXELS = 64;

/** RGB pixels and, for a PNG, its XMP packet. A JPEG (a re-encoded copy) has pixels only: its metadata is not read. */
function readImage(bytes: Uint8Array, path: string): { rgb: Uint8Array; width: number; height: number; xmp: string | undefined } {
  if (hasPngSignature(bytes)) {
    const png = decodePng(bytes);
    let rgb = png.pixels;
    if (png.channels === 4) {
      rgb = new Uint8Array(png.width * png.height * 3);
      for (let k = 0; k < png.width * png.height; k++) rgb.set(png.pixels.subarray(4 * k, 4 * k + 3), 3 * k);
    }
    return { rgb, width: png.width, height: png.height, xmp: png.text[XMP_KEYWORD] };
  }
  if (JPEG_SOI.every((byte, i) => bytes[i] === byte)) {
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_JPEG_MEGAPIXELS });
    return { rgb: image.data, width: image.width, height: image.height, xmp: undefined };
  }
  throw new CliError(`${path} is neither a PNG nor a JPEG`, 2);
}

/**
 * `atelier verify FILE`: whether an image says it was made by AI, in its
 * XMP label (PNG) and in Atelier's invisible watermark (PNG or JPEG).
 * Exits 0 when either is found, 1 when neither is.
 */
export async function verifyCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: "boolean" } } });
  const path = positionals[0];
  if (!path || positionals.length > 1) throw new CliError("usage: atelier verify FILE [--json]", 2);
  const bytes = new Uint8Array(await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${path}: ${error.code ?? error.message}`, 2);
  }));
  const image = readImage(bytes, path);
  const label = image.xmp === undefined ? undefined : parseXmp(image.xmp);
  const mark = checkAtelierMark(image.rgb, image.width, image.height);
  const aiLabel = label?.digitalSourceType === TRAINED_ALGORITHMIC_MEDIA;
  if (values.json) {
    console.log(JSON.stringify({ file: path, label: label ?? null, watermark: mark }));
  } else {
    console.log(`file: ${path} (${image.width}x${image.height})`);
    if (label) {
      const fields = [`DigitalSourceType ${label.digitalSourceType}`, ...Object.entries(label).filter(([key]) => key !== "digitalSourceType").map(([key, value]) => `${key} ${value}`)];
      console.log(`XMP label: ${fields.join("; ")}`);
    } else {
      console.log("XMP label: none");
    }
    const errors = `${mark.bitErrors} of 64 bits differ, ${mark.blocks} blocks read; present at ${MARK_MAX_BIT_ERRORS} or fewer`;
    console.log(`watermark "${ATELIER_MARK_TEXT}": ${mark.present ? "present" : "not found"} (${errors})`);
  }
  if (!aiLabel && !mark.present) process.exitCode = 1;
}
