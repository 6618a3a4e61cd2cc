// Original file: proto/atelier/v1/farm.proto


export interface SeedRange {
  'first'?: (number);
  'count'?: (number);
}

export interface SeedRange__Output {
  'first': (number);
  'count': (number);
}
