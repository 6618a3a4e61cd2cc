// Original file: proto/atelier/v1/farm.proto


export interface GetBatchRequest {
  'batchId'?: (string);
}

export interface GetBatchRequest__Output {
  'batchId': (string);
}
