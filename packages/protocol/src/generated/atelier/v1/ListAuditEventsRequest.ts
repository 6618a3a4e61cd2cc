// Original file: proto/atelier/v1/farm.proto


export interface ListAuditEventsRequest {
  'limit'?: (number);
  /**
   * Page back from this event id (exclusive); empty: the newest.
   */
  'before'?: (string);
}

export interface ListAuditEventsRequest__Output {
  'limit': (number);
  /**
   * Page back from this event id (exclusive); empty: the newest.
   */
  'before': (string);
}
