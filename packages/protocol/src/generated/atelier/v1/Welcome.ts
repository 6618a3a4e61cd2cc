// Original file: proto/atelier/v1/agent_link.proto


export interface Welcome {
  'coordinatorId'?: (string);
  'heartbeatIntervalMs'?: (number);
  'leaseTtlMs'?: (number);
  /**
   * The coordinator accepts ItemResults; an agent sends single results to
   * one that does not say so (an older version during a rolling upgrade).
   */
  'resultBatches'?: (boolean);
}

export interface Welcome__Output {
  'coordinatorId': (string);
  'heartbeatIntervalMs': (number);
  'leaseTtlMs': (number);
  /**
   * The coordinator accepts ItemResults; an agent sends single results to
   * one that does not say so (an older version during a rolling upgrade).
   */
  'resultBatches': (boolean);
}
