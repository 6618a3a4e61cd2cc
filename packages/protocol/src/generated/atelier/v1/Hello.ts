// Original file: proto/atelier/v1/agent_link.proto

import type { Long } from '@grpc/proto-loader';

export interface Hello {
  /**
   * The agent's id comes from its enrolled credential; this may be empty or
   * must name that same agent.
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
   * The agent's id comes from its enrolled credential; this may be empty or
   * must name that same agent.
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
