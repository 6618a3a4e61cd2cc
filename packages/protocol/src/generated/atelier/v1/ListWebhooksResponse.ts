// Original file: proto/atelier/v1/webhooks.proto

import type { WebhookEndpoint as _atelier_v1_WebhookEndpoint, WebhookEndpoint__Output as _atelier_v1_WebhookEndpoint__Output } from '../../atelier/v1/WebhookEndpoint.js';

export interface ListWebhooksResponse {
  'endpoints'?: (_atelier_v1_WebhookEndpoint)[];
}

export interface ListWebhooksResponse__Output {
  'endpoints': (_atelier_v1_WebhookEndpoint__Output)[];
}
