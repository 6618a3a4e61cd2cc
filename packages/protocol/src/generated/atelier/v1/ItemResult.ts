// Original file: proto/atelier/v1/agent_link.proto

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
   * The model's safety checker: "passed" or "flagged" (the image is then
   * quarantined); empty when the model has none.
   */
  'safetyVerdict'?: (string);
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
   * The model's safety checker: "passed" or "flagged" (the image is then
   * quarantined); empty when the model has none.
   */
  'safetyVerdict': (string);
}
