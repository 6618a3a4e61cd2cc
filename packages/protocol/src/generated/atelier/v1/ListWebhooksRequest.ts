// Original file: proto/atelier/v1/webhooks.proto


export interface ListWebhooksRequest {
  'tenant'?: (string);
}

export interface ListWebhooksRequest__Output {
  'tenant': (string);
}
