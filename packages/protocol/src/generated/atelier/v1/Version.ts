// Original file: proto/atelier/v1/farm.proto


export interface Version {
  'version'?: (string);
  'proto'?: (string);
}

export interface Version__Output {
  'version': (string);
  'proto': (string);
}
