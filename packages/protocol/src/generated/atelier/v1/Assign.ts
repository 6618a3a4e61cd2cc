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
  /**
   * For each image's AI label (XMP): its batch, and when that was submitted.
   */
  'batchId'?: (string);
  'batchCreatedAtMs'?: (number | string | Long);
  /**
   * Stamp the farm's invisible watermark in the pixels (ATELIER_WATERMARK).
   */
  'watermark'?: (boolean);
}

export interface Assign__Output {
  'shardId': (string);
  'epoch': (number);
  'leaseExpiresAtMs': (number);
  'leaseTtlMs': (number);
  'settings': (_atelier_v1_RenderSettings__Output | null);
  'items': (_atelier_v1_AssignedItem__Output)[];
  /**
   * For each image's AI label (XMP): its batch, and when that was submitted.
   */
  'batchId': (string);
  'batchCreatedAtMs': (number);
  /**
   * Stamp the farm's invisible watermark in the pixels (ATELIER_WATERMARK).
   */
  'watermark': (boolean);
}
