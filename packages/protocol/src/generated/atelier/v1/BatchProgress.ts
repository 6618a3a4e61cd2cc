// Original file: proto/atelier/v1/farm.proto

import type { BatchState as _atelier_v1_BatchState, BatchState__Output as _atelier_v1_BatchState__Output } from '../../atelier/v1/BatchState.js';
import type { Long } from '@grpc/proto-loader';

export interface BatchProgress {
  'batchId'?: (string);
  'state'?: (_atelier_v1_BatchState);
  'total'?: (number | string | Long);
  'done'?: (number | string | Long);
  'failed'?: (number | string | Long);
  'cancelled'?: (number | string | Long);
  'atMs'?: (number | string | Long);
}

export interface BatchProgress__Output {
  'batchId': (string);
  'state': (_atelier_v1_BatchState__Output);
  'total': (number);
  'done': (number);
  'failed': (number);
  'cancelled': (number);
  'atMs': (number);
}
