// Original file: proto/atelier/v1/agent_link.proto


export interface Drain {
  'drain'?: (boolean);
}

export interface Drain__Output {
  'drain': (boolean);
}
