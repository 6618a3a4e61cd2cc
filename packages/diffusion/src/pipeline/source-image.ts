import { ValidationError } from "../errors.ts";
import { decodePng, type DecodedPng } from "../png/png-decode.ts";

// img2img and inpainting inputs, prepared the way diffusers'
// VaeImageProcessor does: pixels / 255 * 2 - 1, masks converted to grey
// (PIL "L"), binarised at 0.5 and shrunk to the latent grid by nearest
// neighbour (torch interpolate). No resizing: the image and mask must have
// the request's size.

export interface SourceImage {
  /** interleaved 8-bit RGB (alpha dropped), what "strength 0" returns */
  rgb: Uint8Array;
  /** planar [3,H,W] in [-1,1], the VAE encoder's input */
  planar: Float32Array;
}

export interface InpaintMask {
  /** per pixel: 1 = repaint, 0 = keep */
  pixels: Uint8Array;
  /** per latent pixel [h,w]: 1 = repaint, 0 = keep */
  latent: Float32Array;
}

const LATENT_SCALE = 8;

function decodeSized(png: Uint8Array, field: "initImage" | "mask", width: number, height: number): DecodedPng {
  let image: DecodedPng;
  try {
    image = decodePng(png);
  } catch (error) {
    throw new ValidationError([`${field} must be a PNG (${(error as Error).message})`]);
  }
  if (image.width !== width || image.height !== height) {
    throw new ValidationError([`${field} is ${image.width}x${image.height}; the request is ${width}x${height} (resize it first)`]);
  }
  return image;
}

export function readInitImage(png: Uint8Array, width: number, height: number): SourceImage {
  const image = decodeSized(png, "initImage", width, height);
  const plane = width * height;
  const rgb = new Uint8Array(plane * 3);
  const planar = new Float32Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const value = image.pixels[i * image.channels + c]!;
      rgb[i * 3 + c] = value;
      planar[c * plane + i] = (value / 255) * 2 - 1;
    }
  }
  return { rgb, planar };
}

export function readMask(png: Uint8Array, width: number, height: number): InpaintMask {
  const image = decodeSized(png, "mask", width, height);
  const pixels = new Uint8Array(width * height);
  for (let i = 0; i < pixels.length; i++) {
    const at = i * image.channels;
    // PIL's RGB -> L conversion in its own fixed point; >= 128 is diffusers' "mask >= 0.5".
    const grey = (image.pixels[at]! * 19595 + image.pixels[at + 1]! * 38470 + image.pixels[at + 2]! * 7471 + 0x8000) >> 16;
    pixels[i] = grey >= 128 ? 1 : 0;
  }
  const latentWidth = width / LATENT_SCALE;
  const latentHeight = height / LATENT_SCALE;
  const latent = new Float32Array(latentWidth * latentHeight);
  for (let y = 0; y < latentHeight; y++) {
    for (let x = 0; x < latentWidth; x++) latent[y * latentWidth + x] = pixels[y * LATENT_SCALE * width + x * LATENT_SCALE]!;
  }
  return { pixels, latent };
}

/** The image with the repaint area set to 0 (mid grey): the inpainting UNet's "masked image". */
export function maskedPlanar(source: SourceImage, mask: InpaintMask): Float32Array {
  const plane = mask.pixels.length;
  return source.planar.map((v, i) => (mask.pixels[i % plane] === 1 ? 0 : v));
}

/** Generated pixels inside the mask, the source's own pixels outside it (exactly). */
export function compositeOutsideMask(generated: Uint8Array, source: SourceImage, mask: InpaintMask): Uint8Array {
  const out = generated.slice();
  for (let i = 0; i < mask.pixels.length; i++) {
    if (mask.pixels[i] === 0) out.set(source.rgb.subarray(i * 3, i * 3 + 3), i * 3);
  }
  return out;
}
