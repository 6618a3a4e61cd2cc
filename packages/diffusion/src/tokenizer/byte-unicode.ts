// GPT-2/CLIP byte-level BPE works on text where every byte is one printable
// character, so merges never see whitespace or control bytes. This is the
// exact table of openai/CLIP `bytes_to_unicode`: printable Latin-1 bytes map
// to themselves, the rest to U+0100 upwards, in byte order. The order also
// fixes the ids of the 256 base tokens in a CLIP vocab, so it must not change.

function buildByteTable(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table = new Array<string>(256);
  const inPrintable = new Set(printable);
  for (const b of printable) table[b] = String.fromCodePoint(b);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    if (!inPrintable.has(b)) table[b] = String.fromCodePoint(256 + next++);
  }
  return table;
}

/** byte value -> its BPE character */
export const BYTE_TO_UNICODE: readonly string[] = buildByteTable();

/** The 256 base characters in CLIP vocab order (printable bytes first, then the remapped ones). */
export const BASE_CHARACTERS: readonly string[] = (() => {
  const printable: string[] = [];
  const remapped: string[] = [];
  BYTE_TO_UNICODE.forEach((ch) => (ch.codePointAt(0)! >= 256 ? remapped : printable).push(ch));
  return [...printable, ...remapped];
})();

const utf8 = new TextEncoder();

/** UTF-8 bytes of `text`, each replaced by its BPE character. */
export function toByteCharacters(text: string): string[] {
  return Array.from(utf8.encode(text), (b) => BYTE_TO_UNICODE[b]!);
}
