// Original file: proto/atelier/v1/farm.proto

import type { BatchHeader as _atelier_v1_BatchHeader, BatchHeader__Output as _atelier_v1_BatchHeader__Output } from '../../atelier/v1/BatchHeader.js';
import type { ItemChunk as _atelier_v1_ItemChunk, ItemChunk__Output as _atelier_v1_ItemChunk__Output } from '../../atelier/v1/ItemChunk.js';

export interface SubmitBatchRequest {
  'header'?: (_atelier_v1_BatchHeader | null);
  'items'?: (_atelier_v1_ItemChunk | null);
  'part'?: "header"|"items";
}

export interface SubmitBatchRequest__Output {
  'header'?: (_atelier_v1_BatchHeader__Output | null);
  'items'?: (_atelier_v1_ItemChunk__Output | null);
  'part'?: "header"|"items";
}
