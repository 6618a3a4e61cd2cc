// Original file: proto/atelier/v1/farm.proto


/**
 * An X/Y/Z axis over one setting: prompt_sr, seed, steps, guidance, sampler,
 * model, width, height, size ("512x768") or clip_skip. For prompt_sr the
 * first value is the text searched for; each value replaces it.
 */
export interface PlanAxis {
  'name'?: (string);
  'setting'?: (string);
  'values'?: (string)[];
}

/**
 * An X/Y/Z axis over one setting: prompt_sr, seed, steps, guidance, sampler,
 * model, width, height, size ("512x768") or clip_skip. For prompt_sr the
 * first value is the text searched for; each value replaces it.
 */
export interface PlanAxis__Output {
  'name': (string);
  'setting': (string);
  'values': (string)[];
}
