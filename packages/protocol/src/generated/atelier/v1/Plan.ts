// Original file: proto/atelier/v1/farm.proto

import type { WildcardList as _atelier_v1_WildcardList, WildcardList__Output as _atelier_v1_WildcardList__Output } from '../../atelier/v1/WildcardList.js';
import type { SeedRange as _atelier_v1_SeedRange, SeedRange__Output as _atelier_v1_SeedRange__Output } from '../../atelier/v1/SeedRange.js';
import type { PlanAxis as _atelier_v1_PlanAxis, PlanAxis__Output as _atelier_v1_PlanAxis__Output } from '../../atelier/v1/PlanAxis.js';

/**
 * One submission, many images: every combination of the prompt templates,
 * the seeds and the axis values becomes an item. The coordinator expands it
 * while writing, so its size costs no memory.
 */
export interface Plan {
  /**
   * Templates: "{red|blue}" picks each alternative in turn, "__colors__"
   * each line of the wildcard list "colors".
   */
  'prompts'?: (string)[];
  'negativePrompt'?: (string);
  /**
   * A1111's prompt matrix: "base|part 1|part 2" renders the base with every
   * subset of the parts (joined with ", "), 2^(parts) prompts per template.
   */
  'promptMatrix'?: (boolean);
  'wildcards'?: (_atelier_v1_WildcardList)[];
  /**
   * At most one of seeds, seed_range and per_prompt; none: the base seed.
   */
  'seeds'?: (number)[];
  'seedRange'?: (_atelier_v1_SeedRange | null);
  /**
   * Images per prompt: seeds base_seed .. base_seed + per_prompt - 1.
   */
  'perPrompt'?: (number);
  /**
   * At most three, named x, y and z; every item records its value of each.
   */
  'axes'?: (_atelier_v1_PlanAxis)[];
}

/**
 * One submission, many images: every combination of the prompt templates,
 * the seeds and the axis values becomes an item. The coordinator expands it
 * while writing, so its size costs no memory.
 */
export interface Plan__Output {
  /**
   * Templates: "{red|blue}" picks each alternative in turn, "__colors__"
   * each line of the wildcard list "colors".
   */
  'prompts': (string)[];
  'negativePrompt': (string);
  /**
   * A1111's prompt matrix: "base|part 1|part 2" renders the base with every
   * subset of the parts (joined with ", "), 2^(parts) prompts per template.
   */
  'promptMatrix': (boolean);
  'wildcards': (_atelier_v1_WildcardList__Output)[];
  /**
   * At most one of seeds, seed_range and per_prompt; none: the base seed.
   */
  'seeds': (number)[];
  'seedRange': (_atelier_v1_SeedRange__Output | null);
  /**
   * Images per prompt: seeds base_seed .. base_seed + per_prompt - 1.
   */
  'perPrompt': (number);
  /**
   * At most three, named x, y and z; every item records its value of each.
   */
  'axes': (_atelier_v1_PlanAxis__Output)[];
}
