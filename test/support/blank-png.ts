import { encodePng } from "@atelier/diffusion";

const made = new Map<string, Uint8Array>();

/**
 * A real PNG of the given size, all one grey: what a stand-in renderer
 * uploads, since the coordinator records only a PNG of the item's size.
 */
export function blankPng(width: number, height: number, shade = 128): Uint8Array {
  const key = `${width}x${height}/${shade}`;
  let png = made.get(key);
  if (!png) made.set(key, (png = encodePng(new Uint8Array(width * height * 3).fill(shade), width, height)));
  return png;
}
