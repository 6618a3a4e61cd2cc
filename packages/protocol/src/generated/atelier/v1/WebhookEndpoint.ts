// Original file: proto/atelier/v1/webhooks.proto

import type { Long } from '@grpc/proto-loader';

export interface WebhookEndpoint {
  'id'?: (string);
  'tenant'?: (string);
  'url'?: (string);
  /**
   * batch.completed, batch.failed, batch.cancelled, item.exhausted, image.quarantined
   */
  'events'?: (string)[];
  'createdAtMs'?: (number | string | Long);
  /**
   * A rotated secret still signs beside the new one.
   */
  'rotating'?: (boolean);
}

export interface WebhookEndpoint__Output {
  'id': (string);
  'tenant': (string);
  'url': (string);
  /**
   * batch.completed, batch.failed, batch.cancelled, item.exhausted, image.quarantined
   */
  'events': (string)[];
  'createdAtMs': (number);
  /**
   * A rotated secret still signs beside the new one.
   */
  'rotating': (boolean);
}
