// Original file: proto/atelier/v1/agent_link.proto

import type { Hello as _atelier_v1_Hello, Hello__Output as _atelier_v1_Hello__Output } from '../../atelier/v1/Hello.js';
import type { Slots as _atelier_v1_Slots, Slots__Output as _atelier_v1_Slots__Output } from '../../atelier/v1/Slots.js';
import type { Heartbeat as _atelier_v1_Heartbeat, Heartbeat__Output as _atelier_v1_Heartbeat__Output } from '../../atelier/v1/Heartbeat.js';
import type { ShardDone as _atelier_v1_ShardDone, ShardDone__Output as _atelier_v1_ShardDone__Output } from '../../atelier/v1/ShardDone.js';
import type { ShardReleased as _atelier_v1_ShardReleased, ShardReleased__Output as _atelier_v1_ShardReleased__Output } from '../../atelier/v1/ShardReleased.js';
import type { ItemResults as _atelier_v1_ItemResults, ItemResults__Output as _atelier_v1_ItemResults__Output } from '../../atelier/v1/ItemResults.js';

export interface AgentMessage {
  'hello'?: (_atelier_v1_Hello | null);
  'slots'?: (_atelier_v1_Slots | null);
  'heartbeat'?: (_atelier_v1_Heartbeat | null);
  'shardDone'?: (_atelier_v1_ShardDone | null);
  'released'?: (_atelier_v1_ShardReleased | null);
  'results'?: (_atelier_v1_ItemResults | null);
  'body'?: "hello"|"slots"|"heartbeat"|"shardDone"|"released"|"results";
}

export interface AgentMessage__Output {
  'hello'?: (_atelier_v1_Hello__Output | null);
  'slots'?: (_atelier_v1_Slots__Output | null);
  'heartbeat'?: (_atelier_v1_Heartbeat__Output | null);
  'shardDone'?: (_atelier_v1_ShardDone__Output | null);
  'released'?: (_atelier_v1_ShardReleased__Output | null);
  'results'?: (_atelier_v1_ItemResults__Output | null);
  'body'?: "hello"|"slots"|"heartbeat"|"shardDone"|"released"|"results";
}
