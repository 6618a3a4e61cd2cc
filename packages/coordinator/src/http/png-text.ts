import { inflateSync } from "node:zlib";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The text chunks of a PNG (tEXt, and iTXt, where A1111 and PIL put
 * non-Latin-1 prompts), read up to the image data. Returns {} for anything
 * that is not a PNG.
 */
export function pngText(png: Uint8Array): Record<string, string> {
  const text: Record<string, string> = {};
  if (png.length < 8 || SIGNATURE.some((byte, n) => png[n] !== byte)) return text;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8;
  while (at + 8 <= png.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + length);
    if (data.length < length || type === "IDAT" || type === "IEND") break;
    const nul = data.indexOf(0);
    if (nul > 0 && type === "tEXt") {
      text[latin1(data.subarray(0, nul))] = latin1(data.subarray(nul + 1));
    } else if (nul > 0 && type === "iTXt") {
      // keyword NUL, compression flag, method, language NUL, translated keyword NUL, text
      const compressed = data[nul + 1] === 1;
      const languageEnd = data.indexOf(0, nul + 3);
      const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
      if (translatedEnd >= 0) {
        const body = data.subarray(translatedEnd + 1);
        text[latin1(data.subarray(0, nul))] = new TextDecoder().decode(compressed ? inflateSync(body) : body);
      }
    }
    at += 12 + length;
  }
  return text;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("latin1");
}
