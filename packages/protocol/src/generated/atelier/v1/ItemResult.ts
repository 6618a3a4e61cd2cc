// Original file: proto/atelier/v1/agent_link.proto

import type { PromptScore as _atelier_v1_PromptScore, PromptScore__Output as _atelier_v1_PromptScore__Output } from '../../atelier/v1/PromptScore.js';
import type { Attribution as _atelier_v1_Attribution, Attribution__Output as _atelier_v1_Attribution__Output } from '../../atelier/v1/Attribution.js';
import type { Long } from '@grpc/proto-loader';

export interface ItemResult {
  'shardId'?: (string);
  'epoch'?: (number | string | Long);
  'itemId'?: (string);
  /**
   * Set when the item rendered and uploaded.
   */
  'key'?: (string);
  'sha256'?: (string);
  'bytes'?: (number | string | Long);
  'width'?: (number);
  'height'?: (number);
  /**
   * Set when it failed; the coordinator decides about retries.
   */
  'error'?: (string);
  'retryable'?: (boolean);
  'renderMs'?: (number);
  /**
   * Of render_ms, the time spent loading the item's model first (0 when it
   * was already loaded): the cost the coordinator charges a model switch.
   */
  'modelLoadMs'?: (number);
  /**
   * MD5 of the uploaded bytes, hex: checked against the object's ETag, so
   * that a row is recorded only for the very bytes the agent reported.
   */
  'md5'?: (string);
  /**
   * The CLIP similarity of the image to its prompt, when the shard's
   * settings ask for it (has_clip_score).
   */
  'clipScore'?: (number | string);
  'hasClipScore'?: (boolean);
  /**
   * Its similarity to each counter-prompt of the fidelity check.
   */
  'counterScores'?: (_atelier_v1_PromptScore)[];
  /**
   * The model's safety checker: "passed" or "flagged" (the image is then
   * quarantined); empty when the model has none.
   */
  'safetyVerdict'?: (string);
  /**
   * The measured contribution of each keyword the item's lease named
   * (AssignedItem.keywords); absent when it named none.
   */
  'attribution'?: (_atelier_v1_Attribution | null);
}

export interface ItemResult__Output {
  'shardId': (string);
  'epoch': (number);
  'itemId': (string);
  /**
   * Set when the item rendered and uploaded.
   */
  'key': (string);
  'sha256': (string);
  'bytes': (number);
  'width': (number);
  'height': (number);
  /**
   * Set when it failed; the coordinator decides about retries.
   */
  'error': (string);
  'retryable': (boolean);
  'renderMs': (number);
  /**
   * Of render_ms, the time spent loading the item's model first (0 when it
   * was already loaded): the cost the coordinator charges a model switch.
   */
  'modelLoadMs': (number);
  /**
   * MD5 of the uploaded bytes, hex: checked against the object's ETag, so
   * that a row is recorded only for the very bytes the agent reported.
   */
  'md5': (string);
  /**
   * The CLIP similarity of the image to its prompt, when the shard's
   * settings ask for it (has_clip_score).
   */
  'clipScore': (number);
  'hasClipScore': (boolean);
  /**
   * Its similarity to each counter-prompt of the fidelity check.
   */
  'counterScores': (_atelier_v1_PromptScore__Output)[];
  /**
   * The model's safety checker: "passed" or "flagged" (the image is then
   * quarantined); empty when the model has none.
   */
  'safetyVerdict': (string);
  /**
   * The measured contribution of each keyword the item's lease named
   * (AssignedItem.keywords); absent when it named none.
   */
  'attribution': (_atelier_v1_Attribution__Output | null);
}
