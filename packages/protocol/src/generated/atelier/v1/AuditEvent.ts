// Original file: proto/atelier/v1/farm.proto

import type { Long } from '@grpc/proto-loader';

export interface AuditEvent {
  'id'?: (string);
  'atMs'?: (number | string | Long);
  'actor'?: (string);
  'action'?: (string);
  'target'?: (string);
  'detailJson'?: (string);
}

export interface AuditEvent__Output {
  'id': (string);
  'atMs': (number);
  'actor': (string);
  'action': (string);
  'target': (string);
  'detailJson': (string);
}
