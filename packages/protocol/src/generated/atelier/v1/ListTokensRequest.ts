// Original file: proto/atelier/v1/farm.proto


export interface ListTokensRequest {
  /**
   * Empty: every tenant's.
   */
  'tenant'?: (string);
}

export interface ListTokensRequest__Output {
  /**
   * Empty: every tenant's.
   */
  'tenant': (string);
}
