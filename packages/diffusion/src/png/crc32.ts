import { crc32 as zlibCrc32 } from "node:zlib";

/** CRC-32 (ISO-HDLC, polynomial 0xEDB88320) over the parts in order, as PNG chunks require; zlib's native code. */
export function crc32(...parts: Uint8Array[]): number {
  let crc = 0;
  for (const bytes of parts) crc = zlibCrc32(bytes, crc);
  return crc >>> 0;
}
