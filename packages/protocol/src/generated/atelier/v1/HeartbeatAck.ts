// Original file: proto/atelier/v1/agent_link.proto

import type { LeaseRef as _atelier_v1_LeaseRef, LeaseRef__Output as _atelier_v1_LeaseRef__Output } from '../../atelier/v1/LeaseRef.js';
import type { Long } from '@grpc/proto-loader';

export interface HeartbeatAck {
  /**
   * Leases the coordinator renewed; any lease missing here is lost and the
   * agent must stop working on it.
   */
  'renewed'?: (_atelier_v1_LeaseRef)[];
  'leaseTtlMs'?: (number | string | Long);
}

export interface HeartbeatAck__Output {
  /**
   * Leases the coordinator renewed; any lease missing here is lost and the
   * agent must stop working on it.
   */
  'renewed': (_atelier_v1_LeaseRef__Output)[];
  'leaseTtlMs': (number);
}
