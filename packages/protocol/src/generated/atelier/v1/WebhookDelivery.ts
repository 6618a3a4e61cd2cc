// Original file: proto/atelier/v1/webhooks.proto

import type { Long } from '@grpc/proto-loader';

export interface WebhookDelivery {
  'id'?: (string);
  /**
   * The webhook-id header, the same on every attempt.
   */
  'messageId'?: (string);
  'eventType'?: (string);
  /**
   * pending | delivered | failed
   */
  'state'?: (string);
  'attempts'?: (number);
  /**
   * The last attempt's HTTP status; 0 when it got no answer.
   */
  'lastStatus'?: (number);
  'lastError'?: (string);
  'createdAtMs'?: (number | string | Long);
  /**
   * 0 until delivered.
   */
  'deliveredAtMs'?: (number | string | Long);
  'nextAttemptAtMs'?: (number | string | Long);
}

export interface WebhookDelivery__Output {
  'id': (string);
  /**
   * The webhook-id header, the same on every attempt.
   */
  'messageId': (string);
  'eventType': (string);
  /**
   * pending | delivered | failed
   */
  'state': (string);
  'attempts': (number);
  /**
   * The last attempt's HTTP status; 0 when it got no answer.
   */
  'lastStatus': (number);
  'lastError': (string);
  'createdAtMs': (number);
  /**
   * 0 until delivered.
   */
  'deliveredAtMs': (number);
  'nextAttemptAtMs': (number);
}
