// Original file: proto/atelier/v1/agent_link.proto


export interface Slots {
  'free'?: (number);
}

export interface Slots__Output {
  'free': (number);
}
