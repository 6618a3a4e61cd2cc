// Original file: proto/atelier/v1/farm.proto


export interface DrainAgentRequest {
  'agentId'?: (string);
  /**
   * false undrains.
   */
  'drain'?: (boolean);
}

export interface DrainAgentRequest__Output {
  'agentId': (string);
  /**
   * false undrains.
   */
  'drain': (boolean);
}
