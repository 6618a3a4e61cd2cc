// Original file: proto/atelier/v1/farm.proto

import type { Long } from '@grpc/proto-loader';

export interface Agent {
  'id'?: (string);
  'name'?: (string);
  'status'?: (string);
  'slots'?: (number);
  'busySlots'?: (number);
  'models'?: (string)[];
  'providers'?: (string)[];
  'gpu'?: (string);
  'memoryBytes'?: (number | string | Long);
  'lastSeenMs'?: (number | string | Long);
  'draining'?: (boolean);
  'imagesDone'?: (number | string | Long);
}

export interface Agent__Output {
  'id': (string);
  'name': (string);
  'status': (string);
  'slots': (number);
  'busySlots': (number);
  'models': (string)[];
  'providers': (string)[];
  'gpu': (string);
  'memoryBytes': (number);
  'lastSeenMs': (number);
  'draining': (boolean);
  'imagesDone': (number);
}
