// Original file: proto/atelier/v1/agent_link.proto

import type { Long } from '@grpc/proto-loader';

export interface ResultAck {
  'itemId'?: (string);
  'epoch'?: (number | string | Long);
  'accepted'?: (boolean);
  'reason'?: (string);
}

export interface ResultAck__Output {
  'itemId': (string);
  'epoch': (number);
  'accepted': (boolean);
  'reason': (string);
}
