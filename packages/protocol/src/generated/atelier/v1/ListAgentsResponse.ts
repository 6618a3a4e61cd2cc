// Original file: proto/atelier/v1/farm.proto

import type { Agent as _atelier_v1_Agent, Agent__Output as _atelier_v1_Agent__Output } from '../../atelier/v1/Agent.js';

export interface ListAgentsResponse {
  'agents'?: (_atelier_v1_Agent)[];
}

export interface ListAgentsResponse__Output {
  'agents': (_atelier_v1_Agent__Output)[];
}
