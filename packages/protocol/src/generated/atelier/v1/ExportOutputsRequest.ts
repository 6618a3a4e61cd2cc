// Original file: proto/atelier/v1/farm.proto

import type { Long } from '@grpc/proto-loader';

export interface ExportOutputsRequest {
  'batchId'?: (string);
  /**
   * Only outputs after this one (item index, then object key); an empty
   * after_key starts at the first.
   */
  'afterIndex'?: (number | string | Long);
  'afterKey'?: (string);
  /**
   * Also the attempts a quality gate rejected.
   */
  'includeRejected'?: (boolean);
  /**
   * With has_min_clip_score, only outputs whose CLIP similarity (cosine,
   * -1 to 1) is at least min_clip_score; unscored outputs are left out.
   */
  'hasMinClipScore'?: (boolean);
  'minClipScore'?: (number | string);
  /**
   * Presigned GET URLs valid this long: 1000 ms to 7 days.
   */
  'urlTtlMs'?: (number);
}

export interface ExportOutputsRequest__Output {
  'batchId': (string);
  /**
   * Only outputs after this one (item index, then object key); an empty
   * after_key starts at the first.
   */
  'afterIndex': (number);
  'afterKey': (string);
  /**
   * Also the attempts a quality gate rejected.
   */
  'includeRejected': (boolean);
  /**
   * With has_min_clip_score, only outputs whose CLIP similarity (cosine,
   * -1 to 1) is at least min_clip_score; unscored outputs are left out.
   */
  'hasMinClipScore': (boolean);
  'minClipScore': (number);
  /**
   * Presigned GET URLs valid this long: 1000 ms to 7 days.
   */
  'urlTtlMs': (number);
}
