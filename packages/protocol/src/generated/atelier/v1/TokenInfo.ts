// Original file: proto/atelier/v1/farm.proto

import type { Long } from '@grpc/proto-loader';

export interface TokenInfo {
  'id'?: (string);
  'tenant'?: (string);
  'role'?: (string);
  'name'?: (string);
  'createdAtMs'?: (number | string | Long);
  /**
   * 0 while the token is live.
   */
  'revokedAtMs'?: (number | string | Long);
}

export interface TokenInfo__Output {
  'id': (string);
  'tenant': (string);
  'role': (string);
  'name': (string);
  'createdAtMs': (number);
  /**
   * 0 while the token is live.
   */
  'revokedAtMs': (number);
}
