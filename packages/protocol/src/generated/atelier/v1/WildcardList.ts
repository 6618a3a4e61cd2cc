// Original file: proto/atelier/v1/farm.proto


export interface WildcardList {
  'name'?: (string);
  'values'?: (string)[];
}

export interface WildcardList__Output {
  'name': (string);
  'values': (string)[];
}
