// Original file: proto/atelier/v1/agent_link.proto


export interface KeywordContribution {
  'creatorId'?: (string);
  'keyword'?: (string);
  'contribution'?: (number | string);
  'area'?: (number | string);
  'intensity'?: (number | string);
}

export interface KeywordContribution__Output {
  'creatorId': (string);
  'keyword': (string);
  'contribution': (number);
  'area': (number);
  'intensity': (number);
}
