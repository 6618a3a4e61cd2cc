// Original file: proto/atelier/v1/farm.proto

import type { RenderSettings as _atelier_v1_RenderSettings, RenderSettings__Output as _atelier_v1_RenderSettings__Output } from '../../atelier/v1/RenderSettings.js';
import type { Plan as _atelier_v1_Plan, Plan__Output as _atelier_v1_Plan__Output } from '../../atelier/v1/Plan.js';
import type { Long } from '@grpc/proto-loader';

export interface BatchHeader {
  'tenant'?: (string);
  'name'?: (string);
  'defaults'?: (_atelier_v1_RenderSettings | null);
  'priority'?: (number);
  /**
   * Base seed for items without one: item i gets base_seed + i.
   */
  'baseSeed'?: (number | string | Long);
  /**
   * Client-chosen key: resubmitting with the same key returns the same batch.
   */
  'idempotencyKey'?: (string);
  /**
   * Refuse the batch when no registered agent can run some of its items,
   * instead of queueing it with a warning.
   */
  'strict'?: (boolean);
  /**
   * The batch's items come from this plan, expanded by the coordinator; the
   * stream then carries no item chunks.
   */
  'plan'?: (_atelier_v1_Plan | null);
  /**
   * Check and count the batch, answer with its size and ETA, write nothing.
   */
  'dryRun'?: (boolean);
}

export interface BatchHeader__Output {
  'tenant': (string);
  'name': (string);
  'defaults': (_atelier_v1_RenderSettings__Output | null);
  'priority': (number);
  /**
   * Base seed for items without one: item i gets base_seed + i.
   */
  'baseSeed': (number);
  /**
   * Client-chosen key: resubmitting with the same key returns the same batch.
   */
  'idempotencyKey': (string);
  /**
   * Refuse the batch when no registered agent can run some of its items,
   * instead of queueing it with a warning.
   */
  'strict': (boolean);
  /**
   * The batch's items come from this plan, expanded by the coordinator; the
   * stream then carries no item chunks.
   */
  'plan': (_atelier_v1_Plan__Output | null);
  /**
   * Check and count the batch, answer with its size and ETA, write nothing.
   */
  'dryRun': (boolean);
}
