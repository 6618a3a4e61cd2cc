// Original file: proto/atelier/v1/farm.proto

import type { BatchState as _atelier_v1_BatchState, BatchState__Output as _atelier_v1_BatchState__Output } from '../../atelier/v1/BatchState.js';
import type { RenderSettings as _atelier_v1_RenderSettings, RenderSettings__Output as _atelier_v1_RenderSettings__Output } from '../../atelier/v1/RenderSettings.js';
import type { ItemFailure as _atelier_v1_ItemFailure, ItemFailure__Output as _atelier_v1_ItemFailure__Output } from '../../atelier/v1/ItemFailure.js';
import type { PlanAxis as _atelier_v1_PlanAxis, PlanAxis__Output as _atelier_v1_PlanAxis__Output } from '../../atelier/v1/PlanAxis.js';
import type { Long } from '@grpc/proto-loader';

export interface Batch {
  'id'?: (string);
  'tenant'?: (string);
  'name'?: (string);
  'state'?: (_atelier_v1_BatchState);
  'total'?: (number | string | Long);
  'done'?: (number | string | Long);
  'failed'?: (number | string | Long);
  'cancelled'?: (number | string | Long);
  'createdAtMs'?: (number | string | Long);
  'finishedAtMs'?: (number | string | Long);
  'defaults'?: (_atelier_v1_RenderSettings | null);
  'failures'?: (_atelier_v1_ItemFailure)[];
  /**
   * The plan's axes, when the batch came from a plan that has any.
   */
  'axes'?: (_atelier_v1_PlanAxis)[];
}

export interface Batch__Output {
  'id': (string);
  'tenant': (string);
  'name': (string);
  'state': (_atelier_v1_BatchState__Output);
  'total': (number);
  'done': (number);
  'failed': (number);
  'cancelled': (number);
  'createdAtMs': (number);
  'finishedAtMs': (number);
  'defaults': (_atelier_v1_RenderSettings__Output | null);
  'failures': (_atelier_v1_ItemFailure__Output)[];
  /**
   * The plan's axes, when the batch came from a plan that has any.
   */
  'axes': (_atelier_v1_PlanAxis__Output)[];
}
