// Original file: proto/atelier/v1/agent_link.proto

import type { ItemResult as _atelier_v1_ItemResult, ItemResult__Output as _atelier_v1_ItemResult__Output } from '../../atelier/v1/ItemResult.js';

/**
 * The results an agent has to report, together: one while the previous
 * message is unanswered, as many as finished meanwhile otherwise. The
 * coordinator verifies their objects concurrently, records them in one
 * statement and answers with one ResultAcks. Each result is fenced by its own
 * epoch and accepted only from the agent holding that lease; unacknowledged
 * ones are sent again after a reconnect.
 */
export interface ItemResults {
  'results'?: (_atelier_v1_ItemResult)[];
}

/**
 * The results an agent has to report, together: one while the previous
 * message is unanswered, as many as finished meanwhile otherwise. The
 * coordinator verifies their objects concurrently, records them in one
 * statement and answers with one ResultAcks. Each result is fenced by its own
 * epoch and accepted only from the agent holding that lease; unacknowledged
 * ones are sent again after a reconnect.
 */
export interface ItemResults__Output {
  'results': (_atelier_v1_ItemResult__Output)[];
}
