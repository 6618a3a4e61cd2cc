// Original file: proto/atelier/v1/agent_link.proto

import type { ResultAck as _atelier_v1_ResultAck, ResultAck__Output as _atelier_v1_ResultAck__Output } from '../../atelier/v1/ResultAck.js';

/**
 * The answers to one ItemResults, one per result, in its order.
 */
export interface ResultAcks {
  'acks'?: (_atelier_v1_ResultAck)[];
}

/**
 * The answers to one ItemResults, one per result, in its order.
 */
export interface ResultAcks__Output {
  'acks': (_atelier_v1_ResultAck__Output)[];
}
