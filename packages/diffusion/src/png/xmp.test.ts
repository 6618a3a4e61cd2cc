import { describe, expect, it } from "vitest";
import { readChunks } from "./png-chunks.ts";
import { decodePng } from "./png-decode.ts";
import { encodePng } from "./png-encode.ts";
import { formatXmp, parseXmp, TRAINED_ALGORITHMIC_MEDIA, XMP_KEYWORD } from "./xmp.ts";

const LABEL = {
  generator: "Atelier 0.1.0",
  model: "sd-turbo <fp16> & \"friends\"",
  modelHash: "0123abcd",
  createdAt: "2026-12-02T02:00:00.000Z",
  batchId: "b-1",
  itemId: "42",
};

describe("XMP AI label", () => {
  it("writes IPTC's trainedAlgorithmicMedia and every label field, escaped, and reads them back", () => {
    const xmp = formatXmp(LABEL);
    expect(xmp).toContain(`Iptc4xmpExt:DigitalSourceType="${TRAINED_ALGORITHMIC_MEDIA}"`);
    expect(xmp).toContain(`xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"`);
    expect(xmp).toContain(`atelier:Model="sd-turbo &#60;fp16&#62; &#38; &#34;friends&#34;"`);
    expect(parseXmp(xmp)).toEqual({ digitalSourceType: TRAINED_ALGORITHMIC_MEDIA, ...LABEL });
    expect(formatXmp(LABEL)).toBe(xmp);
  });

  it("leaves out the fields a render outside the farm does not have", () => {
    const xmp = formatXmp({ generator: "Atelier 0.1.0", model: "m", modelHash: "h" });
    expect(xmp).not.toContain("BatchId");
    expect(parseXmp(xmp)).toEqual({ digitalSourceType: TRAINED_ALGORITHMIC_MEDIA, generator: "Atelier 0.1.0", model: "m", modelHash: "h" });
  });

  it("refuses a control character, naming the field", () => {
    expect(() => formatXmp({ ...LABEL, itemId: "a\u0001b" })).toThrow(/itemId/);
  });

  it("goes into an iTXt chunk (never tEXt) before the image data", () => {
    const xmp = formatXmp(LABEL);
    const png = encodePng(new Uint8Array(4 * 4 * 3), 4, 4, { parameters: "p", [XMP_KEYWORD]: xmp });
    const chunks = [...readChunks(png)];
    const index = chunks.findIndex((c) => c.type === "iTXt" && Buffer.from(c.data).subarray(0, XMP_KEYWORD.length + 1).equals(Buffer.from(`${XMP_KEYWORD}\0`)));
    expect(index).toBeGreaterThan(0);
    expect(index).toBeLessThan(chunks.findIndex((c) => c.type === "IDAT"));
    expect(decodePng(png).text[XMP_KEYWORD]).toBe(xmp);
  });
});
