// Original file: proto/atelier/v1/farm.proto

import type { Long } from '@grpc/proto-loader';

export interface SubmitBatchResponse {
  'batchId'?: (string);
  'itemCount'?: (number | string | Long);
  /**
   * Why some items may wait: no registered agent can run them (yet).
   */
  'warnings'?: (string)[];
  /**
   * Estimated time until the batch is done at the farm's recent rate; 0 when unknown.
   */
  'etaMs'?: (number | string | Long);
}

export interface SubmitBatchResponse__Output {
  'batchId': (string);
  'itemCount': (number);
  /**
   * Why some items may wait: no registered agent can run them (yet).
   */
  'warnings': (string)[];
  /**
   * Estimated time until the batch is done at the farm's recent rate; 0 when unknown.
   */
  'etaMs': (number);
}
