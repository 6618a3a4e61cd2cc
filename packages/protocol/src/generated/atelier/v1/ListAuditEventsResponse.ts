// Original file: proto/atelier/v1/farm.proto

import type { AuditEvent as _atelier_v1_AuditEvent, AuditEvent__Output as _atelier_v1_AuditEvent__Output } from '../../atelier/v1/AuditEvent.js';

export interface ListAuditEventsResponse {
  'events'?: (_atelier_v1_AuditEvent)[];
}

export interface ListAuditEventsResponse__Output {
  'events': (_atelier_v1_AuditEvent__Output)[];
}
