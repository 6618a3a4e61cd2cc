import { inflateSync } from "node:zlib";
import { crc32 } from "./crc32.ts";
import { XMP_KEYWORD } from "./xmp.ts";

// PNG's chunk layer (RFC 2083 §3): length, type, data, CRC; and its text
// chunks (§4.2.3), which carry A1111's "parameters". The one codec of the
// house: the encoder and decoder here, the coordinator's read of an image's
// parameters and the tests all go through it.

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

export interface PngChunk {
  type: string;
  data: Uint8Array;
}

const ascii = new TextEncoder();
const utf8 = new TextDecoder();
const LATIN1_MAX = 0xff;

export function hasPngSignature(bytes: Uint8Array): boolean {
  return bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((byte, i) => bytes[i] === byte);
}

/** One chunk as it stands in a file: length, type, data, CRC of type and data. */
export function encodeChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  const typeBytes = ascii.encode(type);
  out.set(typeBytes, 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(typeBytes, data));
  return out;
}

export interface ReadChunksOptions {
  /**
   * The bytes are only the start of a file (a ranged read): a chunk cut off
   * at the end ends the walk instead of failing it.
   */
  partial?: boolean;
}

/**
 * The chunks after the signature, in order, through IEND. Throws on a bad
 * signature, a CRC that does not match, or (unless `partial`) a chunk cut off.
 */
export function* readChunks(png: Uint8Array, options: ReadChunksOptions = {}): Generator<PngChunk> {
  if (!hasPngSignature(png)) throw new Error("not a PNG: bad signature");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let offset = PNG_SIGNATURE.length;
  while (offset + 12 <= png.length) {
    const length = view.getUint32(offset);
    const typeBytes = png.subarray(offset + 4, offset + 8);
    const type = latin1(typeBytes);
    if (offset + 12 + length > png.length) {
      if (options.partial) return;
      throw new Error(`PNG chunk ${type} is truncated`);
    }
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (view.getUint32(offset + 8 + length) !== crc32(typeBytes, data)) throw new Error(`PNG chunk ${type} fails its CRC check`);
    yield { type, data };
    if (type === "IEND") return;
    offset += 12 + length;
  }
}

/** Signature and IHDR: the bytes a PNG's size can be read from. */
export const PNG_HEADER_BYTES = 33;

/**
 * Width and height from a file's first PNG_HEADER_BYTES bytes (or more);
 * undefined unless they are a PNG signature and an intact IHDR chunk.
 */
export function readPngSize(head: Uint8Array): { width: number; height: number } | undefined {
  if (head.length < PNG_HEADER_BYTES || !hasPngSignature(head)) return undefined;
  try {
    const first = readChunks(head.subarray(0, PNG_HEADER_BYTES)).next();
    if (first.done || first.value.type !== "IHDR" || first.value.data.length !== 13) return undefined;
    const view = new DataView(first.value.data.buffer, first.value.data.byteOffset, 13);
    return { width: view.getUint32(0), height: view.getUint32(4) };
  } catch {
    return undefined;
  }
}

/**
 * A text chunk: tEXt when the text is Latin-1, else (like PIL, and thus
 * A1111) an uncompressed UTF-8 iTXt. XMP is always iTXt, as its spec says.
 */
export function encodeTextChunk(keyword: string, text: string): Uint8Array {
  if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(keyword)) {
    throw new Error(`PNG text keyword must be 1-79 printable Latin-1 characters (got "${keyword}")`);
  }
  const key = latin1Bytes(keyword);
  const fitsLatin1 = [...text].every((ch) => ch.codePointAt(0)! <= LATIN1_MAX && ch !== "\0");
  if (fitsLatin1 && keyword !== XMP_KEYWORD) return encodeChunk("tEXt", concatBytes([key, Uint8Array.of(0), latin1Bytes(text)]));
  // keyword NUL, compression flag 0, method 0, empty language NUL, empty translated keyword NUL, UTF-8 text
  return encodeChunk("iTXt", concatBytes([key, Uint8Array.of(0, 0, 0, 0, 0), ascii.encode(text)]));
}

export const TEXT_CHUNK_TYPES: ReadonlySet<string> = new Set(["tEXt", "zTXt", "iTXt"]);

/**
 * [keyword, text] of a tEXt, zTXt or iTXt chunk. Compressed text is inflated
 * to at most `maxTextBytes`: a few kilobytes of deflate can claim gigabytes
 * (a "deflate bomb"), and past the limit this throws without inflating more.
 */
export function decodeTextChunk(chunk: PngChunk, maxTextBytes: number): [keyword: string, text: string] {
  const { type, data } = chunk;
  const [key, afterKey] = splitAtNul(data, 0);
  const keyword = latin1(key);
  const inflated = (body: Uint8Array) => {
    try {
      return inflateSync(body, { maxOutputLength: maxTextBytes });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
        throw new Error(`PNG text "${keyword}" inflates past ${maxTextBytes} bytes`, { cause: error });
      }
      throw new Error(`PNG text "${keyword}" is not valid deflate data: ${(error as Error).message}`, { cause: error });
    }
  };
  switch (type) {
    case "tEXt":
      return [keyword, latin1(data.subarray(afterKey))];
    case "zTXt":
      // keyword NUL, compression method, deflated Latin-1 text
      return [keyword, latin1(inflated(data.subarray(afterKey + 1)))];
    case "iTXt": {
      // keyword NUL, compression flag, method, language NUL, translated keyword NUL, UTF-8 text
      const compressed = data[afterKey] === 1;
      const [, afterLanguage] = splitAtNul(data, afterKey + 2);
      const [, afterTranslated] = splitAtNul(data, afterLanguage);
      const body = data.subarray(afterTranslated);
      return [keyword, utf8.decode(compressed ? inflated(body) : body)];
    }
    default:
      throw new Error(`PNG chunk ${type} is not a text chunk`);
  }
}

export interface ReadPngTextOptions {
  /** Largest text a compressed chunk may inflate to; a chunk over it is skipped. */
  maxTextBytes: number;
}

/**
 * The text chunks that come before the image data, read from the first
 * bytes of a file (they may end mid-chunk). For showing what a stored image
 * says about itself: anything malformed ends the reading with what was read so
 * far, a text over the limit is skipped, and what is not a PNG gives {}.
 */
export function readPngText(head: Uint8Array, options: ReadPngTextOptions): Record<string, string> {
  const text: Record<string, string> = {};
  if (!hasPngSignature(head)) return text;
  try {
    for (const chunk of readChunks(head, { partial: true })) {
      if (chunk.type === "IDAT" || chunk.type === "IEND") break;
      if (!TEXT_CHUNK_TYPES.has(chunk.type)) continue;
      try {
        const [keyword, value] = decodeTextChunk(chunk, options.maxTextBytes);
        text[keyword] = value;
      } catch {
        // One bad or oversized text chunk: the others still stand.
      }
    }
  } catch {
    // A chunk that fails its CRC: what came before it stands.
  }
  return text;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

function splitAtNul(bytes: Uint8Array, from: number): [Uint8Array, number] {
  const nul = bytes.indexOf(0, from);
  if (nul < 0) throw new Error("PNG text chunk is missing its NUL separator");
  return [bytes.subarray(from, nul), nul + 1];
}
