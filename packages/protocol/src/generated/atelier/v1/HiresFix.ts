// Original file: proto/atelier/v1/common.proto


/**
 * A1111's hires fix: the first pass at width x height, its image upscaled to
 * int(side * scale) down to a multiple of 8, then img2img at `denoise`.
 */
export interface HiresFix {
  'scale'?: (number | string);
  /**
   * Second-pass steps; 0: the first pass's.
   */
  'steps'?: (number);
  'denoise'?: (number | string);
  /**
   * "bicubic", or an upscaler model on the agent.
   */
  'upscaler'?: (string);
}

/**
 * A1111's hires fix: the first pass at width x height, its image upscaled to
 * int(side * scale) down to a multiple of 8, then img2img at `denoise`.
 */
export interface HiresFix__Output {
  'scale': (number);
  /**
   * Second-pass steps; 0: the first pass's.
   */
  'steps': (number);
  'denoise': (number);
  /**
   * "bicubic", or an upscaler model on the agent.
   */
  'upscaler': (string);
}
