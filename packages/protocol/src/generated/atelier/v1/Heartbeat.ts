// Original file: proto/atelier/v1/agent_link.proto

import type { LeaseRef as _atelier_v1_LeaseRef, LeaseRef__Output as _atelier_v1_LeaseRef__Output } from '../../atelier/v1/LeaseRef.js';

/**
 * One heartbeat per agent covers every shard it holds.
 */
export interface Heartbeat {
  'leases'?: (_atelier_v1_LeaseRef)[];
}

/**
 * One heartbeat per agent covers every shard it holds.
 */
export interface Heartbeat__Output {
  'leases': (_atelier_v1_LeaseRef__Output)[];
}
