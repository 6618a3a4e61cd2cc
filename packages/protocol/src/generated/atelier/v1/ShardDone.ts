// Original file: proto/atelier/v1/agent_link.proto

import type { Long } from '@grpc/proto-loader';

export interface ShardDone {
  'shardId'?: (string);
  'epoch'?: (number | string | Long);
}

export interface ShardDone__Output {
  'shardId': (string);
  'epoch': (number);
}
