// Original file: proto/atelier/v1/agent_link.proto


export interface CreatorKeyword {
  'creatorId'?: (string);
  'keyword'?: (string);
}

export interface CreatorKeyword__Output {
  'creatorId': (string);
  'keyword': (string);
}
