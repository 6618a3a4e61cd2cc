// Original file: proto/atelier/v1/agent_link.proto


export interface Welcome {
  'coordinatorId'?: (string);
  'heartbeatIntervalMs'?: (number);
  'leaseTtlMs'?: (number);
}

export interface Welcome__Output {
  'coordinatorId': (string);
  'heartbeatIntervalMs': (number);
  'leaseTtlMs': (number);
}
