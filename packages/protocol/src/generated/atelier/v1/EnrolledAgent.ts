// Original file: proto/atelier/v1/farm.proto


/**
 * `credential` is shown once; the agent sends it as `authorization: Bearer …`.
 */
export interface EnrolledAgent {
  'agentId'?: (string);
  'credentialId'?: (string);
  'credential'?: (string);
}

/**
 * `credential` is shown once; the agent sends it as `authorization: Bearer …`.
 */
export interface EnrolledAgent__Output {
  'agentId': (string);
  'credentialId': (string);
  'credential': (string);
}
