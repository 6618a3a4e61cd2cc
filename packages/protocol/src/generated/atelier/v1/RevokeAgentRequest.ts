// Original file: proto/atelier/v1/farm.proto


export interface RevokeAgentRequest {
  'name'?: (string);
}

export interface RevokeAgentRequest__Output {
  'name': (string);
}
