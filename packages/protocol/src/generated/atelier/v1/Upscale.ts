// Original file: proto/atelier/v1/common.proto


/**
 * After rendering, the image is upscaled by `scale` (2 or 4) with an
 * upscaler model on the agent (run until the size is reached, then bicubic
 * to the exact size).
 */
export interface Upscale {
  'model'?: (string);
  'scale'?: (number);
}

/**
 * After rendering, the image is upscaled by `scale` (2 or 4) with an
 * upscaler model on the agent (run until the size is reached, then bicubic
 * to the exact size).
 */
export interface Upscale__Output {
  'model': (string);
  'scale': (number);
}
