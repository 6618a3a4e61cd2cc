// Original file: proto/atelier/v1/farm.proto


export interface GetBatchReportRequest {
  'batchId'?: (string);
}

export interface GetBatchReportRequest__Output {
  'batchId': (string);
}
