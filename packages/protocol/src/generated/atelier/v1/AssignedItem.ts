// Original file: proto/atelier/v1/agent_link.proto

import type { Long } from '@grpc/proto-loader';

export interface AssignedItem {
  'itemId'?: (string);
  'index'?: (number | string | Long);
  'prompt'?: (string);
  'negativePrompt'?: (string);
  'seed'?: (number);
  'key'?: (string);
  'uploadUrl'?: (string);
}

export interface AssignedItem__Output {
  'itemId': (string);
  'index': (number);
  'prompt': (string);
  'negativePrompt': (string);
  'seed': (number);
  'key': (string);
  'uploadUrl': (string);
}
