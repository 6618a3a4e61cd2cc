// Original file: proto/atelier/v1/farm.proto


export interface RevokeAgentResponse {
  'revoked'?: (number);
}

export interface RevokeAgentResponse__Output {
  'revoked': (number);
}
