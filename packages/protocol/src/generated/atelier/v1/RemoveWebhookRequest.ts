// Original file: proto/atelier/v1/webhooks.proto


export interface RemoveWebhookRequest {
  'id'?: (string);
}

export interface RemoveWebhookRequest__Output {
  'id': (string);
}
