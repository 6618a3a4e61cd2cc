import { deflateSync, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { contactSheet } from "./contact-sheet.ts";
import { crc32 } from "./crc32.ts";
import { decodePng } from "./png-decode.ts";
import { encodePng, encodePngImage } from "./png-encode.ts";
import { decodeTextChunk, encodeChunk, encodeTextChunk, readChunks, readPngSize, readPngText } from "./png-chunks.ts";

function gradient(width: number, height: number, channels: 3 | 4): Uint8Array {
  const pixels = new Uint8Array(width * height * channels);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37 + ((i / 7) | 0)) & 0xff;
  return pixels;
}

describe("PNG", () => {
  it("computes the standard CRC-32", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("round-trips RGB pixels and text", () => {
    const rgb = gradient(33, 17, 3);
    const png = encodePng(rgb, 33, 17, { parameters: "a red circle\nSteps: 20, Seed: 42", Software: "atelier" });
    const decoded = decodePng(png);
    expect(decoded).toMatchObject({ width: 33, height: 17, channels: 3 });
    expect(Buffer.from(decoded.pixels).equals(Buffer.from(rgb))).toBe(true);
    expect(decoded.text).toEqual({ parameters: "a red circle\nSteps: 20, Seed: 42", Software: "atelier" });
    // tEXt is readable as plain Latin-1 in the file itself.
    expect(Buffer.from(png).includes("tEXtparameters\0a red circle")).toBe(true);
  });

  it("writes non-Latin-1 text as UTF-8 iTXt", () => {
    const png = encodePng(gradient(4, 4, 3), 4, 4, { parameters: "猫 on the left 🙂" });
    expect(Buffer.from(png).includes("iTXtparameters")).toBe(true);
    expect(decodePng(png).text["parameters"]).toBe("猫 on the left 🙂");
  });

  it.each([0, 1, 2, 3, 4] as const)("decodes rows written with filter type %i", (filter) => {
    const rgba = gradient(19, 11, 4);
    const decoded = decodePng(encodePngImage({ width: 19, height: 11, channels: 4, pixels: rgba }, filter));
    expect(decoded.channels).toBe(4);
    expect(Buffer.from(decoded.pixels).equals(Buffer.from(rgba))).toBe(true);
  });

  it("is deterministic and starts with the PNG signature", () => {
    const rgb = gradient(64, 64, 3);
    const a = encodePng(rgb, 64, 64, { parameters: "x" });
    expect(Buffer.from(a).equals(Buffer.from(encodePng(rgb, 64, 64, { parameters: "x" })))).toBe(true);
    expect(Array.from(a.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it("rejects corrupt chunks and wrong buffer sizes", () => {
    const png = encodePng(gradient(8, 8, 3), 8, 8);
    const corrupt = png.slice();
    corrupt[20] = corrupt[20]! ^ 0xff; // inside IHDR
    expect(() => decodePng(corrupt)).toThrow(/CRC/);
    expect(() => decodePng(new Uint8Array(10))).toThrow(/signature/);
    expect(() => encodePng(new Uint8Array(10), 8, 8)).toThrow(/needs 192/);
  });

  it("expands 8-bit grey and grey+alpha to RGB and RGBA", () => {
    const head = encodePng(gradient(2, 2, 3), 2, 2).subarray(0, 8);
    const tail = encodePng(gradient(2, 2, 3), 2, 2).subarray(-12);
    const pngOf = (colourType: number, rows: number[][]) => {
      const header = Buffer.alloc(13);
      header.writeUInt32BE(2, 0);
      header.writeUInt32BE(2, 4);
      header.set([8, colourType, 0, 0, 0], 8);
      const scan = Uint8Array.from(rows.flatMap((row) => [0, ...row]));
      return Buffer.concat([head, encodeChunk("IHDR", header), encodeChunk("IDAT", deflateSync(scan)), tail]);
    };
    const grey = decodePng(pngOf(0, [[0, 128], [200, 255]]));
    expect(grey.channels).toBe(3);
    expect(Array.from(grey.pixels)).toEqual([0, 0, 0, 128, 128, 128, 200, 200, 200, 255, 255, 255]);
    const greyAlpha = decodePng(pngOf(4, [[10, 255, 20, 0], [30, 128, 40, 7]]));
    expect(greyAlpha.channels).toBe(4);
    expect(Array.from(greyAlpha.pixels)).toEqual([10, 10, 10, 255, 20, 20, 20, 0, 30, 30, 30, 128, 40, 40, 40, 7]);
    expect(() => decodePng(pngOf(3, [[0, 0], [0, 0]]))).toThrow(/colour type 3/);
  });

  it("picks one filter type per image from a sample of rows", () => {
    // Rows of jagged texture, each the row above plus one: "Up" leaves only ones (Paeth ties, and the lower type wins).
    const rows = Uint8Array.from({ length: 16 * 16 * 3 }, (_, i) => ((Math.floor(i / 3) % 16) * 97) % 200 + Math.floor(i / 48));
    const scan = inflateSync(idatOf(encodePng(rows, 16, 16)));
    for (let y = 0; y < 16; y++) expect(scan[y * 49]).toBe(2);
    // Left-to-right ramps on jagged row offsets: "Sub" does.
    const ramps = Uint8Array.from({ length: 16 * 16 * 3 }, (_, i) => (Math.floor(i / 48) * 53) % 200 + (Math.floor(i / 3) % 16));
    expect(inflateSync(idatOf(encodePng(ramps, 16, 16)))[0]).toBe(1);
  });

  it("decodes IDAT split across chunks", () => {
    const rgb = gradient(16, 16, 3);
    const png = encodePng(rgb, 16, 16);
    // Rebuild with the compressed stream cut into two IDAT chunks.
    const scan = new Uint8Array(16 * 49);
    for (let y = 0; y < 16; y++) scan.set(rgb.subarray(y * 48, y * 48 + 48), y * 49 + 1);
    const z = deflateSync(scan);
    const head = png.subarray(0, 33); // signature + IHDR
    const tail = png.subarray(png.length - 12); // IEND
    const split = Buffer.concat([head, encodeChunk("IDAT", z.subarray(0, 10)), encodeChunk("IDAT", z.subarray(10)), tail]);
    expect(Buffer.from(decodePng(split).pixels).equals(Buffer.from(rgb))).toBe(true);
  });
});

/** The data of a PNG's single IDAT chunk. */
function idatOf(png: Uint8Array): Buffer {
  const buffer = Buffer.from(png);
  const at = buffer.indexOf("IDAT");
  return buffer.subarray(at + 4, at + 4 + buffer.readUInt32BE(at - 4));
}

/** `png` with `more` chunks put just before its image data. */
function withChunks(png: Uint8Array, more: Uint8Array[]): Buffer {
  const idatAt = Buffer.from(png).indexOf("IDAT") - 4;
  return Buffer.concat([png.subarray(0, idatAt), ...more, png.subarray(idatAt)]);
}

/** A zlib stream that inflates to `mebibytes` MiB of zeros from about a thousandth of that. */
function deflateBomb(mebibytes: number): Buffer {
  return deflateSync(Buffer.alloc(mebibytes * 1024 * 1024));
}

describe("PNG text", () => {
  const plain = encodePng(gradient(4, 4, 3), 4, 4, { parameters: "a red circle\nSeed: 7", Title: "猫" });

  it("reads tEXt, zTXt and iTXt (plain and compressed) before the image data", () => {
    const ztxt = encodeChunk("zTXt", Buffer.concat([Buffer.from("Comment\0\0", "latin1"), deflateSync(Buffer.from("café", "latin1"))]));
    const itxt = encodeChunk("iTXt", Buffer.concat([Buffer.from("Note\0\x01\0en\0Notiz\0", "latin1"), deflateSync(Buffer.from("über 🙂", "utf8"))]));
    const png = withChunks(plain, [ztxt, itxt]);
    const expected = { parameters: "a red circle\nSeed: 7", Title: "猫", Comment: "café", Note: "über 🙂" };
    expect(readPngText(png, { maxTextBytes: 1024 })).toEqual(expected);
    expect(decodePng(png).text).toEqual(expected);
    // Text after the image data is not read: a stored image's parameters come first.
    const after = Buffer.concat([plain.subarray(0, plain.length - 12), encodeTextChunk("Late", "x"), plain.subarray(plain.length - 12)]);
    expect(readPngText(after, { maxTextBytes: 1024 })).toEqual({ parameters: "a red circle\nSeed: 7", Title: "猫" });
  });

  it("reads what the first bytes of a file hold, a chunk cut off included", () => {
    const png = withChunks(plain, [encodeTextChunk("Big", "x".repeat(5_000))]);
    const bigAt = Buffer.from(png).indexOf("tEXtBig");
    expect(readPngText(png.subarray(0, bigAt + 100), { maxTextBytes: 1024 })).toEqual({ parameters: "a red circle\nSeed: 7", Title: "猫" });
    expect(() => [...readChunks(png.subarray(0, bigAt + 100))]).toThrow("PNG chunk tEXt is truncated");
    expect(readPngText(new Uint8Array([1, 2, 3]), { maxTextBytes: 1024 })).toEqual({});
    expect(readPngText(png.subarray(0, 20), { maxTextBytes: 1024 })).toEqual({});
  });

  it("skips a compressed text that inflates past the limit, without inflating it all", () => {
    const bomb = encodeChunk("iTXt", Buffer.concat([Buffer.from("parameters\0\x01\0\0\0", "latin1"), deflateBomb(64)]));
    const png = withChunks(plain, [encodeTextChunk("Before", "b"), bomb, encodeTextChunk("After", "a")]);
    expect(readPngText(png, { maxTextBytes: 64 * 1024 })).toEqual({ parameters: "a red circle\nSeed: 7", Title: "猫", Before: "b", After: "a" });
    const [bombChunk] = [...readChunks(png)].filter((chunk) => chunk.type === "iTXt" && chunk.data.length > 1000);
    expect(() => decodeTextChunk(bombChunk!, 64 * 1024)).toThrow('PNG text "parameters" inflates past 65536 bytes');
    expect(() => decodePng(png)).toThrow('PNG text "parameters" inflates past 1048576 bytes');
  });

  it("stops at a chunk whose CRC does not match, keeping what came before", () => {
    const corrupt = Buffer.from(withChunks(plain, [encodeTextChunk("Kept", "k")]));
    const title = corrupt.indexOf("iTXtTitle");
    corrupt[title + 6] = corrupt[title + 6]! ^ 0xff;
    expect(readPngText(corrupt, { maxTextBytes: 1024 })).toEqual({ parameters: "a red circle\nSeed: 7" });
  });

  it("reads the size from the signature and IHDR alone", () => {
    const png = encodePng(gradient(24, 8, 3), 24, 8);
    expect(readPngSize(png.subarray(0, 33))).toEqual({ width: 24, height: 8 });
    expect(readPngSize(png.subarray(0, 32))).toBeUndefined();
    const corrupt = png.slice(0, 33);
    corrupt[17] = corrupt[17]! ^ 0xff;
    expect(readPngSize(corrupt)).toBeUndefined();
    expect(readPngSize(new Uint8Array(40))).toBeUndefined();
  });

  it("refuses image data that inflates past what the image's size needs", () => {
    const png = encodePng(gradient(8, 8, 3), 8, 8);
    const bomb = Buffer.concat([png.subarray(0, 33), encodeChunk("IDAT", deflateBomb(64)), png.subarray(-12)]);
    expect(() => decodePng(bomb)).toThrow("PNG image data inflates past the 200 bytes a 8x8 image needs");
  });
});

describe("contactSheet", () => {
  const solid = (rgb: [number, number, number], width: number, height: number) =>
    encodePng(Uint8Array.from({ length: width * height * 3 }, (_, i) => rgb[i % 3]!), width, height);

  it("lays out downscaled tiles left to right, top to bottom", () => {
    const sheet = decodePng(contactSheet([solid([255, 0, 0], 64, 64), solid([0, 255, 0], 32, 32), solid([0, 0, 255], 128, 128)], { columns: 2, tile: 16 }));
    expect(sheet).toMatchObject({ width: 32, height: 32, channels: 3 });
    const at = (x: number, y: number) => Array.from(sheet.pixels.subarray((y * 32 + x) * 3, (y * 32 + x) * 3 + 3));
    expect(at(8, 8)).toEqual([255, 0, 0]);
    expect(at(24, 8)).toEqual([0, 255, 0]);
    expect(at(8, 24)).toEqual([0, 0, 255]);
    expect(at(24, 24)).toEqual([24, 24, 24]); // empty cell
  });

  it("averages pixels when downscaling and letterboxes other aspect ratios", () => {
    // A 2x1 checker of black and white columns averages to mid grey.
    const stripes = encodePng(Uint8Array.from({ length: 32 * 16 * 3 }, (_, i) => (Math.floor(i / 3) % 2 === 0 ? 0 : 255)), 32, 16);
    const sheet = decodePng(contactSheet([stripes], { columns: 1, tile: 16 }));
    const at = (x: number, y: number) => Array.from(sheet.pixels.subarray((y * 16 + x) * 3, (y * 16 + x) * 3 + 3));
    expect(at(8, 8)).toEqual([128, 128, 128]);
    expect(at(8, 1)).toEqual([24, 24, 24]); // bar above the 16x8 image
  });

  it("rejects bad options", () => {
    expect(() => contactSheet([], { columns: 2, tile: 16 })).toThrow(/at least one/);
    expect(() => contactSheet([solid([0, 0, 0], 8, 8)], { columns: 0, tile: 16 })).toThrow(/columns/);
  });
});
