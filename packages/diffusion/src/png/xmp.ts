// The machine-readable "made by AI" label of every image: an XMP packet in the
// PNG's iTXt chunk "XML:com.adobe.xmp" (XMP Specification Part 3, §1.1.5),
// carrying IPTC's DigitalSourceType "trainedAlgorithmicMedia", the term the
// IPTC and the C2PA use for images a trained model generated, which is what
// the EU AI Act's marking duty asks for in machine-readable form.

/** PNG text keyword of an XMP packet. */
export const XMP_KEYWORD = "XML:com.adobe.xmp";

/** IPTC NewsCodes digital source type of generative-model output. */
export const TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newsworthy/digitalsourcetype/trainedAlgorithmicMedia";

/** The namespace of Atelier's own XMP properties (model, hash, batch, item). */
export const ATELIER_XMP_NAMESPACE = "https://atelier.invalid/ns/xmp/1.0/";

export interface AiLabel {
  /** the software that made the image, e.g. "Atelier 0.1.0" */
  generator: string;
  model: string;
  modelHash: string;
  /** when the batch was submitted (ISO 8601): fixed per item, so a re-run writes the same bytes */
  createdAt?: string;
  batchId?: string;
  itemId?: string;
}

const NAMESPACES = {
  x: "adobe:ns:meta/",
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  Iptc4xmpExt: "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
  xmp: "http://ns.adobe.com/xap/1.0/",
  atelier: ATELIER_XMP_NAMESPACE,
} as const;

// The property of each label field, in the order they are written.
const FIELDS: [keyof AiLabel, string][] = [
  ["generator", "xmp:CreatorTool"],
  ["createdAt", "xmp:CreateDate"],
  ["model", "atelier:Model"],
  ["modelHash", "atelier:ModelHash"],
  ["batchId", "atelier:BatchId"],
  ["itemId", "atelier:ItemId"],
];

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * The XMP packet (simple properties as attributes of one rdf:Description).
 * The same label gives the same bytes. Characters XML 1.0 cannot carry
 * (control characters) are refused rather than dropped.
 */
export function formatXmp(label: AiLabel): string {
  const attributes = [`Iptc4xmpExt:DigitalSourceType="${TRAINED_ALGORITHMIC_MEDIA}"`];
  for (const [field, property] of FIELDS) {
    const value = label[field];
    if (value === undefined) continue;
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(value)) throw new Error(`XMP label ${field} holds a control character XML cannot carry`);
    attributes.push(`${property}="${escapeXml(value)}"`);
  }
  const xmlns = Object.entries(NAMESPACES)
    .filter(([prefix]) => prefix !== "x" && prefix !== "rdf")
    .map(([prefix, uri]) => `xmlns:${prefix}="${uri}"`);
  return [
    // The BOM in "begin" is the packet wrapper's own (XMP Part 1, §7.3.2).
    `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>`,
    `<x:xmpmeta xmlns:x="${NAMESPACES.x}">`,
    ` <rdf:RDF xmlns:rdf="${NAMESPACES.rdf}">`,
    `  <rdf:Description rdf:about=""`,
    ...[...xmlns, ...attributes].map((line) => `    ${line}`),
    `  />`,
    ` </rdf:RDF>`,
    `</x:xmpmeta>`,
    `<?xpacket end="r"?>`,
  ].join("\n");
}

/**
 * The label fields of a packet formatXmp wrote (attributes of its
 * rdf:Description), and its DigitalSourceType; undefined when the text has
 * no DigitalSourceType. For reading back our own packets, not a general XMP
 * parser: properties written as elements are not read.
 */
export function parseXmp(xmp: string): (Partial<AiLabel> & { digitalSourceType: string }) | undefined {
  const attribute = (property: string) => {
    const match = new RegExp(`\\s${property.replace(":", "\\:")}="([^"]*)"`).exec(xmp);
    return match ? match[1]!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&") : undefined;
  };
  const digitalSourceType = attribute("Iptc4xmpExt:DigitalSourceType");
  if (digitalSourceType === undefined) return undefined;
  const label: Partial<AiLabel> & { digitalSourceType: string } = { digitalSourceType };
  for (const [field, property] of FIELDS) {
    const value = attribute(property);
    if (value !== undefined) label[field] = value;
  }
  return label;
}
