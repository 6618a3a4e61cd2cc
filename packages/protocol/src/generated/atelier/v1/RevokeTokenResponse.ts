// Original file: proto/atelier/v1/farm.proto


export interface RevokeTokenResponse {
  'revoked'?: (boolean);
}

export interface RevokeTokenResponse__Output {
  'revoked': (boolean);
}
