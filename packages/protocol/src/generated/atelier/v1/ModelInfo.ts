// Original file: proto/atelier/v1/agent_link.proto


export interface ModelInfo {
  'name'?: (string);
  'architecture'?: (string);
}

export interface ModelInfo__Output {
  'name': (string);
  'architecture': (string);
}
