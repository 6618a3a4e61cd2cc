// Original file: proto/atelier/v1/farm.proto

import type { Long } from '@grpc/proto-loader';

export interface ItemFailure {
  'index'?: (number | string | Long);
  'error'?: (string);
  'attempts'?: (number);
}

export interface ItemFailure__Output {
  'index': (number);
  'error': (string);
  'attempts': (number);
}
