// Original file: proto/atelier/v1/farm.proto


/**
 * The secret is in `token`, shown once: only its hash is kept.
 */
export interface CreatedToken {
  'id'?: (string);
  'token'?: (string);
  'tenant'?: (string);
  'role'?: (string);
}

/**
 * The secret is in `token`, shown once: only its hash is kept.
 */
export interface CreatedToken__Output {
  'id': (string);
  'token': (string);
  'tenant': (string);
  'role': (string);
}
