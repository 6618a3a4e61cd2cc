// Original file: proto/atelier/v1/farm.proto

import type { Long } from '@grpc/proto-loader';

export interface SubmitBatchResponse {
  'batchId'?: (string);
  'itemCount'?: (number | string | Long);
}

export interface SubmitBatchResponse__Output {
  'batchId': (string);
  'itemCount': (number);
}
