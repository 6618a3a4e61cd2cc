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
  /**
   * width x height x steps of every item's first pass, added up, in millions.
   */
  'megapixelSteps'?: (number | string);
  /**
   * A dry run: nothing was written and batch_id is empty.
   */
  'dryRun'?: (boolean);
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
  /**
   * width x height x steps of every item's first pass, added up, in millions.
   */
  'megapixelSteps': (number);
  /**
   * A dry run: nothing was written and batch_id is empty.
   */
  'dryRun': (boolean);
}
