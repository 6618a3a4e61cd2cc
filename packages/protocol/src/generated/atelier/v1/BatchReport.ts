// Original file: proto/atelier/v1/farm.proto

import type { Long } from '@grpc/proto-loader';

export interface BatchReport {
  'batchId'?: (string);
  'items'?: (number | string | Long);
  /**
   * Items whose image passed (or had no gate), and items that ended exhausted.
   */
  'acceptedItems'?: (number | string | Long);
  'exhaustedItems'?: (number | string | Long);
  /**
   * Every attempt, and those the quality gate rejected (an exhausted item's included).
   */
  'outputs'?: (number | string | Long);
  'rejectedOutputs'?: (number | string | Long);
  /**
   * rejected_outputs / outputs; 0 without outputs.
   */
  'rejectedShare'?: (number | string);
  /**
   * Outputs with a CLIP score, and the deciles of those scores: 11 values,
   * the minimum, 10th .. 90th percentile (linear interpolation), maximum.
   */
  'scoredOutputs'?: (number | string | Long);
  'scoreDeciles'?: (number | string)[];
  /**
   * Accepted outputs with a fidelity check, those whose own prompt scored
   * best, and their ratio (0 when none was checked).
   */
  'fidelityChecked'?: (number | string | Long);
  'fidelityMatched'?: (number | string | Long);
  'fidelityRate'?: (number | string);
}

export interface BatchReport__Output {
  'batchId': (string);
  'items': (number);
  /**
   * Items whose image passed (or had no gate), and items that ended exhausted.
   */
  'acceptedItems': (number);
  'exhaustedItems': (number);
  /**
   * Every attempt, and those the quality gate rejected (an exhausted item's included).
   */
  'outputs': (number);
  'rejectedOutputs': (number);
  /**
   * rejected_outputs / outputs; 0 without outputs.
   */
  'rejectedShare': (number);
  /**
   * Outputs with a CLIP score, and the deciles of those scores: 11 values,
   * the minimum, 10th .. 90th percentile (linear interpolation), maximum.
   */
  'scoredOutputs': (number);
  'scoreDeciles': (number)[];
  /**
   * Accepted outputs with a fidelity check, those whose own prompt scored
   * best, and their ratio (0 when none was checked).
   */
  'fidelityChecked': (number);
  'fidelityMatched': (number);
  'fidelityRate': (number);
}
