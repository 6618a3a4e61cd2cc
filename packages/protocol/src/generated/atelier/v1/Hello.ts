// Original file: proto/atelier/v1/agent_link.proto

import type { Long } from '@grpc/proto-loader';

export interface Hello {
  /**
   * Stable across restarts of the same agent (e.g. host + GPU index).
   */
  'agentId'?: (string);
  'name'?: (string);
  'gpu'?: (string);
  'memoryBytes'?: (number | string | Long);
  'providers'?: (string)[];
  'models'?: (string)[];
  'slots'?: (number);
  'maxWidth'?: (number);
  'maxHeight'?: (number);
  'version'?: (string);
}

export interface Hello__Output {
  /**
   * Stable across restarts of the same agent (e.g. host + GPU index).
   */
  'agentId': (string);
  'name': (string);
  'gpu': (string);
  'memoryBytes': (number);
  'providers': (string)[];
  'models': (string)[];
  'slots': (number);
  'maxWidth': (number);
  'maxHeight': (number);
  'version': (string);
}
