// Original file: proto/atelier/v1/webhooks.proto


export interface TestWebhookResponse {
  /**
   * The webhook-id the test event is delivered with.
   */
  'messageId'?: (string);
}

export interface TestWebhookResponse__Output {
  /**
   * The webhook-id the test event is delivered with.
   */
  'messageId': (string);
}
