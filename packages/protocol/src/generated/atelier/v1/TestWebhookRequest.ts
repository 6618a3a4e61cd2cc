// Original file: proto/atelier/v1/webhooks.proto


export interface TestWebhookRequest {
  'id'?: (string);
}

export interface TestWebhookRequest__Output {
  'id': (string);
}
