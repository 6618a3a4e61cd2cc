import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AddWebhookRequest as _atelier_v1_AddWebhookRequest, AddWebhookRequest__Output as _atelier_v1_AddWebhookRequest__Output } from './atelier/v1/AddWebhookRequest.js';
import type { ListWebhookDeliveriesRequest as _atelier_v1_ListWebhookDeliveriesRequest, ListWebhookDeliveriesRequest__Output as _atelier_v1_ListWebhookDeliveriesRequest__Output } from './atelier/v1/ListWebhookDeliveriesRequest.js';
import type { ListWebhookDeliveriesResponse as _atelier_v1_ListWebhookDeliveriesResponse, ListWebhookDeliveriesResponse__Output as _atelier_v1_ListWebhookDeliveriesResponse__Output } from './atelier/v1/ListWebhookDeliveriesResponse.js';
import type { ListWebhooksRequest as _atelier_v1_ListWebhooksRequest, ListWebhooksRequest__Output as _atelier_v1_ListWebhooksRequest__Output } from './atelier/v1/ListWebhooksRequest.js';
import type { ListWebhooksResponse as _atelier_v1_ListWebhooksResponse, ListWebhooksResponse__Output as _atelier_v1_ListWebhooksResponse__Output } from './atelier/v1/ListWebhooksResponse.js';
import type { RemoveWebhookRequest as _atelier_v1_RemoveWebhookRequest, RemoveWebhookRequest__Output as _atelier_v1_RemoveWebhookRequest__Output } from './atelier/v1/RemoveWebhookRequest.js';
import type { RemoveWebhookResponse as _atelier_v1_RemoveWebhookResponse, RemoveWebhookResponse__Output as _atelier_v1_RemoveWebhookResponse__Output } from './atelier/v1/RemoveWebhookResponse.js';
import type { RotateWebhookSecretRequest as _atelier_v1_RotateWebhookSecretRequest, RotateWebhookSecretRequest__Output as _atelier_v1_RotateWebhookSecretRequest__Output } from './atelier/v1/RotateWebhookSecretRequest.js';
import type { TestWebhookRequest as _atelier_v1_TestWebhookRequest, TestWebhookRequest__Output as _atelier_v1_TestWebhookRequest__Output } from './atelier/v1/TestWebhookRequest.js';
import type { TestWebhookResponse as _atelier_v1_TestWebhookResponse, TestWebhookResponse__Output as _atelier_v1_TestWebhookResponse__Output } from './atelier/v1/TestWebhookResponse.js';
import type { WebhookDelivery as _atelier_v1_WebhookDelivery, WebhookDelivery__Output as _atelier_v1_WebhookDelivery__Output } from './atelier/v1/WebhookDelivery.js';
import type { WebhookEndpoint as _atelier_v1_WebhookEndpoint, WebhookEndpoint__Output as _atelier_v1_WebhookEndpoint__Output } from './atelier/v1/WebhookEndpoint.js';
import type { WebhookSecret as _atelier_v1_WebhookSecret, WebhookSecret__Output as _atelier_v1_WebhookSecret__Output } from './atelier/v1/WebhookSecret.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  atelier: {
    v1: {
      AddWebhookRequest: MessageTypeDefinition<_atelier_v1_AddWebhookRequest, _atelier_v1_AddWebhookRequest__Output>
      ListWebhookDeliveriesRequest: MessageTypeDefinition<_atelier_v1_ListWebhookDeliveriesRequest, _atelier_v1_ListWebhookDeliveriesRequest__Output>
      ListWebhookDeliveriesResponse: MessageTypeDefinition<_atelier_v1_ListWebhookDeliveriesResponse, _atelier_v1_ListWebhookDeliveriesResponse__Output>
      ListWebhooksRequest: MessageTypeDefinition<_atelier_v1_ListWebhooksRequest, _atelier_v1_ListWebhooksRequest__Output>
      ListWebhooksResponse: MessageTypeDefinition<_atelier_v1_ListWebhooksResponse, _atelier_v1_ListWebhooksResponse__Output>
      RemoveWebhookRequest: MessageTypeDefinition<_atelier_v1_RemoveWebhookRequest, _atelier_v1_RemoveWebhookRequest__Output>
      RemoveWebhookResponse: MessageTypeDefinition<_atelier_v1_RemoveWebhookResponse, _atelier_v1_RemoveWebhookResponse__Output>
      RotateWebhookSecretRequest: MessageTypeDefinition<_atelier_v1_RotateWebhookSecretRequest, _atelier_v1_RotateWebhookSecretRequest__Output>
      TestWebhookRequest: MessageTypeDefinition<_atelier_v1_TestWebhookRequest, _atelier_v1_TestWebhookRequest__Output>
      TestWebhookResponse: MessageTypeDefinition<_atelier_v1_TestWebhookResponse, _atelier_v1_TestWebhookResponse__Output>
      WebhookDelivery: MessageTypeDefinition<_atelier_v1_WebhookDelivery, _atelier_v1_WebhookDelivery__Output>
      WebhookEndpoint: MessageTypeDefinition<_atelier_v1_WebhookEndpoint, _atelier_v1_WebhookEndpoint__Output>
      WebhookSecret: MessageTypeDefinition<_atelier_v1_WebhookSecret, _atelier_v1_WebhookSecret__Output>
    }
  }
}

