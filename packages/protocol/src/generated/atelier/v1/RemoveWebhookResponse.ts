// Original file: proto/atelier/v1/webhooks.proto


export interface RemoveWebhookResponse {
  'removed'?: (boolean);
}

export interface RemoveWebhookResponse__Output {
  'removed': (boolean);
}
