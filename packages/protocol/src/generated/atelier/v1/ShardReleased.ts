// Original file: proto/atelier/v1/agent_link.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The agent gives a shard back unfinished (drain, shutdown). Costs no attempt.
 */
export interface ShardReleased {
  'shardId'?: (string);
  'epoch'?: (number | string | Long);
  'reason'?: (string);
}

/**
 * The agent gives a shard back unfinished (drain, shutdown). Costs no attempt.
 */
export interface ShardReleased__Output {
  'shardId': (string);
  'epoch': (number);
  'reason': (string);
}
