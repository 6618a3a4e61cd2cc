// Original file: proto/atelier/v1/webhooks.proto

import type { WebhookEndpoint as _atelier_v1_WebhookEndpoint, WebhookEndpoint__Output as _atelier_v1_WebhookEndpoint__Output } from '../../atelier/v1/WebhookEndpoint.js';

export interface WebhookSecret {
  'endpoint'?: (_atelier_v1_WebhookEndpoint | null);
  /**
   * whsec_<base64>: shown only in this answer.
   */
  'secret'?: (string);
}

export interface WebhookSecret__Output {
  'endpoint': (_atelier_v1_WebhookEndpoint__Output | null);
  /**
   * whsec_<base64>: shown only in this answer.
   */
  'secret': (string);
}
