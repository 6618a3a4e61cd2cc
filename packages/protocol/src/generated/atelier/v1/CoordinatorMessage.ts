// Original file: proto/atelier/v1/agent_link.proto

import type { Welcome as _atelier_v1_Welcome, Welcome__Output as _atelier_v1_Welcome__Output } from '../../atelier/v1/Welcome.js';
import type { Assign as _atelier_v1_Assign, Assign__Output as _atelier_v1_Assign__Output } from '../../atelier/v1/Assign.js';
import type { Cancel as _atelier_v1_Cancel, Cancel__Output as _atelier_v1_Cancel__Output } from '../../atelier/v1/Cancel.js';
import type { Drain as _atelier_v1_Drain, Drain__Output as _atelier_v1_Drain__Output } from '../../atelier/v1/Drain.js';
import type { HeartbeatAck as _atelier_v1_HeartbeatAck, HeartbeatAck__Output as _atelier_v1_HeartbeatAck__Output } from '../../atelier/v1/HeartbeatAck.js';
import type { ResultAcks as _atelier_v1_ResultAcks, ResultAcks__Output as _atelier_v1_ResultAcks__Output } from '../../atelier/v1/ResultAcks.js';

export interface CoordinatorMessage {
  'welcome'?: (_atelier_v1_Welcome | null);
  'assign'?: (_atelier_v1_Assign | null);
  'cancel'?: (_atelier_v1_Cancel | null);
  'drain'?: (_atelier_v1_Drain | null);
  'heartbeatAck'?: (_atelier_v1_HeartbeatAck | null);
  'resultAcks'?: (_atelier_v1_ResultAcks | null);
  'body'?: "welcome"|"assign"|"cancel"|"drain"|"heartbeatAck"|"resultAcks";
}

export interface CoordinatorMessage__Output {
  'welcome'?: (_atelier_v1_Welcome__Output | null);
  'assign'?: (_atelier_v1_Assign__Output | null);
  'cancel'?: (_atelier_v1_Cancel__Output | null);
  'drain'?: (_atelier_v1_Drain__Output | null);
  'heartbeatAck'?: (_atelier_v1_HeartbeatAck__Output | null);
  'resultAcks'?: (_atelier_v1_ResultAcks__Output | null);
  'body'?: "welcome"|"assign"|"cancel"|"drain"|"heartbeatAck"|"resultAcks";
}
