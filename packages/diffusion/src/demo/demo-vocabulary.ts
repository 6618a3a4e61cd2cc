// What the demo model understands, and how words become numbers. The text
// encoder embeds each known word as a hand-set feature vector (FEATURE
// layout); its output (HIDDEN layout) is what the UNet pools and draws.
// Both graphs are generated from these tables, so they cannot disagree.

/** Colours in 8-bit sRGB; the model works in [-1, 1] (v / 127.5 - 1). */
export const DEMO_COLOURS: Readonly<Record<string, readonly [number, number, number]>> = {
  red: [230, 25, 25],
  orange: [255, 140, 0],
  yellow: [255, 220, 0],
  green: [30, 180, 40],
  cyan: [0, 200, 220],
  blue: [30, 60, 230],
  purple: [130, 40, 200],
  magenta: [230, 0, 200],
  pink: [255, 150, 190],
  white: [245, 245, 245],
  black: [10, 10, 10],
  gray: [128, 128, 128],
  grey: [128, 128, 128],
  brown: [130, 80, 40],
};

export const DEMO_SHAPES = ["circle", "square", "triangle", "ring"] as const;

/** Where a position word moves the shape centre, in half-image units (x right, y down). */
export const DEMO_POSITIONS: Readonly<Record<string, readonly [number, number]>> = {
  left: [-1, 0],
  right: [1, 0],
  top: [0, -1],
  bottom: [0, 1],
  center: [0, 0],
  centre: [0, 0],
};

export const BACKGROUND_WORD = "background";

/** Per-token embedding channels (text encoder Gather table). */
export const FEATURE = {
  colour: 0, // 3 channels, [-1, 1]
  isColour: 3,
  backgroundWord: 4,
  shapes: 5, // one channel per DEMO_SHAPES entry
  dx: 9,
  dy: 10,
  known: 11,
  /** the token ends a word (BPE "</w>" or a special token) */
  endsWord: 12,
  size: 13,
} as const;

/** Text encoder output channels per token; the UNet sums them over tokens. */
export const HIDDEN = {
  shapeColour: 0, // 3 channels
  shapeColourCount: 3,
  backgroundColour: 4, // 3 channels
  backgroundColourCount: 7,
  // channels 8..15 carry FEATURE.backgroundWord .. FEATURE.known unchanged
  passThrough: 8,
  shapes: 9, // 4 channels
  dx: 13,
  dy: 14,
  known: 15,
  size: 32,
} as const;

/** Every word the demo tokenizer encodes as one token. */
export const DEMO_WORDS: readonly string[] = [
  ...Object.keys(DEMO_COLOURS),
  ...DEMO_SHAPES,
  ...Object.keys(DEMO_POSITIONS),
  BACKGROUND_WORD,
];

/** The embedding row of a vocab piece. Unknown pieces are all zero except endsWord. */
export function tokenFeatures(piece: string, isSpecial: boolean): number[] {
  const features = new Array<number>(FEATURE.size).fill(0);
  if (isSpecial || piece.endsWith("</w>")) features[FEATURE.endsWord] = 1;
  if (isSpecial || !piece.endsWith("</w>")) return features;
  const word = piece.slice(0, -"</w>".length);
  const colour = DEMO_COLOURS[word];
  const shape = (DEMO_SHAPES as readonly string[]).indexOf(word);
  const position = DEMO_POSITIONS[word];
  if (colour) {
    colour.forEach((v, c) => (features[FEATURE.colour + c] = v / 127.5 - 1));
    features[FEATURE.isColour] = 1;
  }
  if (word === BACKGROUND_WORD) features[FEATURE.backgroundWord] = 1;
  if (shape >= 0) features[FEATURE.shapes + shape] = 1;
  if (position) {
    features[FEATURE.dx] = position[0];
    features[FEATURE.dy] = position[1];
  }
  if (colour || shape >= 0 || position || word === BACKGROUND_WORD) features[FEATURE.known] = 1;
  return features;
}
