// Original file: proto/atelier/v1/agent_link.proto

import type { ItemResult as _atelier_v1_ItemResult, ItemResult__Output as _atelier_v1_ItemResult__Output } from '../../atelier/v1/ItemResult.js';

/**
 * Several results in one message. An agent that finishes items faster than
 * a round trip sends what it has together; the coordinator verifies their
 * objects concurrently, records them in one statement and answers with one
 * ResultAcks. Each result is fenced by its own epoch, exactly as a single
 * `result` is, and unacknowledged ones are sent again after a reconnect.
 */
export interface ItemResults {
  'results'?: (_atelier_v1_ItemResult)[];
}

/**
 * Several results in one message. An agent that finishes items faster than
 * a round trip sends what it has together; the coordinator verifies their
 * objects concurrently, records them in one statement and answers with one
 * ResultAcks. Each result is fenced by its own epoch, exactly as a single
 * `result` is, and unacknowledged ones are sent again after a reconnect.
 */
export interface ItemResults__Output {
  'results': (_atelier_v1_ItemResult__Output)[];
}
