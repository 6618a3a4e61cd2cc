// Original file: proto/atelier/v1/farm.proto

import type { RenderSettings as _atelier_v1_RenderSettings, RenderSettings__Output as _atelier_v1_RenderSettings__Output } from '../../atelier/v1/RenderSettings.js';

/**
 * One line of an input file. `count` > 1 expands to consecutive seeds.
 */
export interface ItemSpec {
  'prompt'?: (string);
  'negativePrompt'?: (string);
  /**
   * Seeds are unsigned 32-bit (what users type into A1111). has_seed
   * distinguishes "seed 0" from "no seed".
   */
  'seed'?: (number);
  'hasSeed'?: (boolean);
  'settings'?: (_atelier_v1_RenderSettings | null);
  'count'?: (number);
  /**
   * Where the item came from in the user's file (e.g. "prompts.jsonl:12"),
   * echoed in validation errors.
   */
  'source'?: (string);
}

/**
 * One line of an input file. `count` > 1 expands to consecutive seeds.
 */
export interface ItemSpec__Output {
  'prompt': (string);
  'negativePrompt': (string);
  /**
   * Seeds are unsigned 32-bit (what users type into A1111). has_seed
   * distinguishes "seed 0" from "no seed".
   */
  'seed': (number);
  'hasSeed': (boolean);
  'settings': (_atelier_v1_RenderSettings__Output | null);
  'count': (number);
  /**
   * Where the item came from in the user's file (e.g. "prompts.jsonl:12"),
   * echoed in validation errors.
   */
  'source': (string);
}
