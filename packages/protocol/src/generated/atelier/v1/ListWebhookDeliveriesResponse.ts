// Original file: proto/atelier/v1/webhooks.proto

import type { WebhookDelivery as _atelier_v1_WebhookDelivery, WebhookDelivery__Output as _atelier_v1_WebhookDelivery__Output } from '../../atelier/v1/WebhookDelivery.js';

export interface ListWebhookDeliveriesResponse {
  'deliveries'?: (_atelier_v1_WebhookDelivery)[];
}

export interface ListWebhookDeliveriesResponse__Output {
  'deliveries': (_atelier_v1_WebhookDelivery__Output)[];
}
