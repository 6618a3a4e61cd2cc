// Original file: proto/atelier/v1/agent_link.proto


export interface PromptScore {
  'prompt'?: (string);
  'score'?: (number | string);
}

export interface PromptScore__Output {
  'prompt': (string);
  'score': (number);
}
