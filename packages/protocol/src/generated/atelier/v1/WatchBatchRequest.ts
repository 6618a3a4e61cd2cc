// Original file: proto/atelier/v1/farm.proto


export interface WatchBatchRequest {
  'batchId'?: (string);
}

export interface WatchBatchRequest__Output {
  'batchId': (string);
}
