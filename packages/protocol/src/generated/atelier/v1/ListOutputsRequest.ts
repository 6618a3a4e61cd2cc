// Original file: proto/atelier/v1/farm.proto


export interface ListOutputsRequest {
  'batchId'?: (string);
  /**
   * Return presigned GET URLs valid for this long (0: no URLs).
   */
  'urlTtlMs'?: (number);
}

export interface ListOutputsRequest__Output {
  'batchId': (string);
  /**
   * Return presigned GET URLs valid for this long (0: no URLs).
   */
  'urlTtlMs': (number);
}
