// Original file: proto/atelier/v1/farm.proto

import type { Long } from '@grpc/proto-loader';

export interface Output {
  'itemId'?: (string);
  'index'?: (number | string | Long);
  'seed'?: (number);
  'prompt'?: (string);
  'key'?: (string);
  'sha256'?: (string);
  'bytes'?: (number | string | Long);
  'width'?: (number);
  'height'?: (number);
  'url'?: (string);
  'agent'?: (string);
  /**
   * The item's value of each plan axis, by axis name (x, y, z).
   */
  'axes'?: ({[key: string]: string});
}

export interface Output__Output {
  'itemId': (string);
  'index': (number);
  'seed': (number);
  'prompt': (string);
  'key': (string);
  'sha256': (string);
  'bytes': (number);
  'width': (number);
  'height': (number);
  'url': (string);
  'agent': (string);
  /**
   * The item's value of each plan axis, by axis name (x, y, z).
   */
  'axes': ({[key: string]: string});
}
