// Original file: proto/atelier/v1/agent_link.proto

import type { Long } from '@grpc/proto-loader';

export interface LeaseRef {
  'shardId'?: (string);
  'epoch'?: (number | string | Long);
}

export interface LeaseRef__Output {
  'shardId': (string);
  'epoch': (number);
}
