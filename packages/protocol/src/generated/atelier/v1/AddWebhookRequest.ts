// Original file: proto/atelier/v1/webhooks.proto


export interface AddWebhookRequest {
  /**
   * Admins only; a tenant token adds to its own tenant.
   */
  'tenant'?: (string);
  /**
   * http:// or https://
   */
  'url'?: (string);
  'events'?: (string)[];
}

export interface AddWebhookRequest__Output {
  /**
   * Admins only; a tenant token adds to its own tenant.
   */
  'tenant': (string);
  /**
   * http:// or https://
   */
  'url': (string);
  'events': (string)[];
}
