// Original file: proto/atelier/v1/agent_link.proto

import type { KeywordContribution as _atelier_v1_KeywordContribution, KeywordContribution__Output as _atelier_v1_KeywordContribution__Output } from '../../atelier/v1/KeywordContribution.js';

export interface Attribution {
  'keywords'?: (_atelier_v1_KeywordContribution)[];
  /**
   * The share of the picture no keyword drives: contributions + rest = 1.
   */
  'rest'?: (number | string);
  'sampledSteps'?: (number);
  /**
   * The extra UNet time measuring took for this image, and its ratio to the
   * image's own denoising time.
   */
  'extraUnetMs'?: (number | string);
  'overhead'?: (number | string);
}

export interface Attribution__Output {
  'keywords': (_atelier_v1_KeywordContribution__Output)[];
  /**
   * The share of the picture no keyword drives: contributions + rest = 1.
   */
  'rest': (number);
  'sampledSteps': (number);
  /**
   * The extra UNet time measuring took for this image, and its ratio to the
   * image's own denoising time.
   */
  'extraUnetMs': (number);
  'overhead': (number);
}
