// Original file: proto/atelier/v1/farm.proto


export interface EnrollAgentRequest {
  /**
   * The agent's id and name: its credential is bound to it.
   */
  'name'?: (string);
  'pool'?: (string);
}

export interface EnrollAgentRequest__Output {
  /**
   * The agent's id and name: its credential is bound to it.
   */
  'name': (string);
  'pool': (string);
}
