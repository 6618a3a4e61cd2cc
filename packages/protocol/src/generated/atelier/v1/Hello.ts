// Original file: proto/atelier/v1/agent_link.proto

import type { ModelInfo as _atelier_v1_ModelInfo, ModelInfo__Output as _atelier_v1_ModelInfo__Output } from '../../atelier/v1/ModelInfo.js';
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
  /**
   * Per model of `models`, what it is (detectModelArchitecture).
   */
  'modelInfo'?: (_atelier_v1_ModelInfo)[];
  /**
   * Upscaler models (ESRGAN-class) the agent can run, by folder name.
   */
  'upscalers'?: (string)[];
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
  /**
   * Per model of `models`, what it is (detectModelArchitecture).
   */
  'modelInfo': (_atelier_v1_ModelInfo__Output)[];
  /**
   * Upscaler models (ESRGAN-class) the agent can run, by folder name.
   */
  'upscalers': (string)[];
}
