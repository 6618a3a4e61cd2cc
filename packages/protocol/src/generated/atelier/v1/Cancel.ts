// Original file: proto/atelier/v1/agent_link.proto


export interface Cancel {
  'shardId'?: (string);
  'itemIds'?: (string)[];
  'reason'?: (string);
}

export interface Cancel__Output {
  'shardId': (string);
  'itemIds': (string)[];
  'reason': (string);
}
