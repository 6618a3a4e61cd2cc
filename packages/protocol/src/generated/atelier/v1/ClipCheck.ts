// Original file: proto/atelier/v1/common.proto


/**
 * Scores each image with the agent's CLIP model: LAION's cosine similarity
 * of image and prompt embeddings (-1 to 1; LAION-5B kept pairs above 0.28).
 */
export interface ClipCheck {
  'score'?: (boolean);
  /**
   * Quality gate (has_min_score): an image below min_score is kept as a
   * rejected attempt and the item renders again with the next seed, at most
   * max_rerolls times; an item that never passes ends "exhausted".
   */
  'minScore'?: (number | string);
  'hasMinScore'?: (boolean);
  'maxRerolls'?: (number);
  /**
   * Fidelity: the image is also scored against these counter-prompts, and
   * records whether its own prompt scores best.
   */
  'counterPrompts'?: (string)[];
  /**
   * Fidelity without counter-prompts: against the prompt with its roles
   * swapped ("an astronaut riding a horse" -> "a horse riding an astronaut").
   */
  'fidelity'?: (boolean);
}

/**
 * Scores each image with the agent's CLIP model: LAION's cosine similarity
 * of image and prompt embeddings (-1 to 1; LAION-5B kept pairs above 0.28).
 */
export interface ClipCheck__Output {
  'score': (boolean);
  /**
   * Quality gate (has_min_score): an image below min_score is kept as a
   * rejected attempt and the item renders again with the next seed, at most
   * max_rerolls times; an item that never passes ends "exhausted".
   */
  'minScore': (number);
  'hasMinScore': (boolean);
  'maxRerolls': (number);
  /**
   * Fidelity: the image is also scored against these counter-prompts, and
   * records whether its own prompt scores best.
   */
  'counterPrompts': (string)[];
  /**
   * Fidelity without counter-prompts: against the prompt with its roles
   * swapped ("an astronaut riding a horse" -> "a horse riding an astronaut").
   */
  'fidelity': (boolean);
}
