// Original file: proto/atelier/v1/agent_link.proto

import type { CreatorKeyword as _atelier_v1_CreatorKeyword, CreatorKeyword__Output as _atelier_v1_CreatorKeyword__Output } from '../../atelier/v1/CreatorKeyword.js';
import type { Long } from '@grpc/proto-loader';

export interface AssignedItem {
  'itemId'?: (string);
  'index'?: (number | string | Long);
  'prompt'?: (string);
  'negativePrompt'?: (string);
  'seed'?: (number);
  'key'?: (string);
  'uploadUrl'?: (string);
  /**
   * Registered creators' keywords found in the prompt, to measure.
   */
  'keywords'?: (_atelier_v1_CreatorKeyword)[];
}

export interface AssignedItem__Output {
  'itemId': (string);
  'index': (number);
  'prompt': (string);
  'negativePrompt': (string);
  'seed': (number);
  'key': (string);
  'uploadUrl': (string);
  /**
   * Registered creators' keywords found in the prompt, to measure.
   */
  'keywords': (_atelier_v1_CreatorKeyword__Output)[];
}
