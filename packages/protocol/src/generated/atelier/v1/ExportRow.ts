// Original file: proto/atelier/v1/farm.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One output as a dataset export needs it.
 */
export interface ExportRow {
  'index'?: (number | string | Long);
  /**
   * The object key: unique, and the cursor of a resumed export.
   */
  'key'?: (string);
  'prompt'?: (string);
  'negativePrompt'?: (string);
  'seed'?: (number | string | Long);
  'model'?: (string);
  /**
   * The output image's size.
   */
  'width'?: (number);
  'height'?: (number);
  'steps'?: (number);
  'guidance'?: (number | string);
  'sampler'?: (string);
  /**
   * The render options beyond the fields above (seed source, clip skip,
   * hires, upscale…), as the item's JSON.
   */
  'optionsJson'?: (string);
  'sha256'?: (string);
  'bytes'?: (number | string | Long);
  'hasClipScore'?: (boolean);
  'clipScore'?: (number | string);
  /**
   * false: an attempt the quality gate rejected.
   */
  'accepted'?: (boolean);
  /**
   * The prompt-fidelity record as JSON; empty when not checked.
   */
  'fidelityJson'?: (string);
  /**
   * The item's value of each plan axis, by axis name.
   */
  'axes'?: ({[key: string]: string});
  'url'?: (string);
}

/**
 * One output as a dataset export needs it.
 */
export interface ExportRow__Output {
  'index': (number);
  /**
   * The object key: unique, and the cursor of a resumed export.
   */
  'key': (string);
  'prompt': (string);
  'negativePrompt': (string);
  'seed': (number);
  'model': (string);
  /**
   * The output image's size.
   */
  'width': (number);
  'height': (number);
  'steps': (number);
  'guidance': (number);
  'sampler': (string);
  /**
   * The render options beyond the fields above (seed source, clip skip,
   * hires, upscale…), as the item's JSON.
   */
  'optionsJson': (string);
  'sha256': (string);
  'bytes': (number);
  'hasClipScore': (boolean);
  'clipScore': (number);
  /**
   * false: an attempt the quality gate rejected.
   */
  'accepted': (boolean);
  /**
   * The prompt-fidelity record as JSON; empty when not checked.
   */
  'fidelityJson': (string);
  /**
   * The item's value of each plan axis, by axis name.
   */
  'axes': ({[key: string]: string});
  'url': (string);
}
