// Original file: proto/atelier/v1/agent_link.proto

import type { RenderSettings as _atelier_v1_RenderSettings, RenderSettings__Output as _atelier_v1_RenderSettings__Output } from '../../atelier/v1/RenderSettings.js';
import type { AssignedItem as _atelier_v1_AssignedItem, AssignedItem__Output as _atelier_v1_AssignedItem__Output } from '../../atelier/v1/AssignedItem.js';
import type { Long } from '@grpc/proto-loader';

export interface Assign {
  'shardId'?: (string);
  'epoch'?: (number | string | Long);
  'leaseExpiresAtMs'?: (number | string | Long);
  'leaseTtlMs'?: (number);
  'settings'?: (_atelier_v1_RenderSettings | null);
  'items'?: (_atelier_v1_AssignedItem)[];
}

export interface Assign__Output {
  'shardId': (string);
  'epoch': (number);
  'leaseExpiresAtMs': (number);
  'leaseTtlMs': (number);
  'settings': (_atelier_v1_RenderSettings__Output | null);
  'items': (_atelier_v1_AssignedItem__Output)[];
}
