// Original file: proto/atelier/v1/webhooks.proto


export interface ListWebhookDeliveriesRequest {
  'id'?: (string);
  /**
   * Newest first; 0: 50, at most 500.
   */
  'limit'?: (number);
}

export interface ListWebhookDeliveriesRequest__Output {
  'id': (string);
  /**
   * Newest first; 0: 50, at most 500.
   */
  'limit': (number);
}
