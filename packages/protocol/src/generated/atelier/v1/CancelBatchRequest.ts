// Original file: proto/atelier/v1/farm.proto


export interface CancelBatchRequest {
  'batchId'?: (string);
}

export interface CancelBatchRequest__Output {
  'batchId': (string);
}
