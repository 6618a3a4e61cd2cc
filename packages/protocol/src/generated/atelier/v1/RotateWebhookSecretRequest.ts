// Original file: proto/atelier/v1/webhooks.proto


export interface RotateWebhookSecretRequest {
  'id'?: (string);
  /**
   * How long the old secret keeps signing beside the new one; 0: 24 hours.
   */
  'overlapS'?: (number);
}

export interface RotateWebhookSecretRequest__Output {
  'id': (string);
  /**
   * How long the old secret keeps signing beside the new one; 0: 24 hours.
   */
  'overlapS': (number);
}
