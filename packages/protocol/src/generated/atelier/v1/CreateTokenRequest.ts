// Original file: proto/atelier/v1/farm.proto


export interface CreateTokenRequest {
  'tenant'?: (string);
  /**
   * "user" (default) or "admin".
   */
  'role'?: (string);
  'name'?: (string);
}

export interface CreateTokenRequest__Output {
  'tenant': (string);
  /**
   * "user" (default) or "admin".
   */
  'role': (string);
  'name': (string);
}
