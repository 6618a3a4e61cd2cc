import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentLinkClient as _atelier_v1_AgentLinkClient, AgentLinkDefinition as _atelier_v1_AgentLinkDefinition } from './atelier/v1/AgentLink.js';
import type { AgentMessage as _atelier_v1_AgentMessage, AgentMessage__Output as _atelier_v1_AgentMessage__Output } from './atelier/v1/AgentMessage.js';
import type { Assign as _atelier_v1_Assign, Assign__Output as _atelier_v1_Assign__Output } from './atelier/v1/Assign.js';
import type { AssignedItem as _atelier_v1_AssignedItem, AssignedItem__Output as _atelier_v1_AssignedItem__Output } from './atelier/v1/AssignedItem.js';
import type { Attribution as _atelier_v1_Attribution, Attribution__Output as _atelier_v1_Attribution__Output } from './atelier/v1/Attribution.js';
import type { Cancel as _atelier_v1_Cancel, Cancel__Output as _atelier_v1_Cancel__Output } from './atelier/v1/Cancel.js';
import type { ClipCheck as _atelier_v1_ClipCheck, ClipCheck__Output as _atelier_v1_ClipCheck__Output } from './atelier/v1/ClipCheck.js';
import type { CoordinatorMessage as _atelier_v1_CoordinatorMessage, CoordinatorMessage__Output as _atelier_v1_CoordinatorMessage__Output } from './atelier/v1/CoordinatorMessage.js';
import type { CreatorKeyword as _atelier_v1_CreatorKeyword, CreatorKeyword__Output as _atelier_v1_CreatorKeyword__Output } from './atelier/v1/CreatorKeyword.js';
import type { Drain as _atelier_v1_Drain, Drain__Output as _atelier_v1_Drain__Output } from './atelier/v1/Drain.js';
import type { Heartbeat as _atelier_v1_Heartbeat, Heartbeat__Output as _atelier_v1_Heartbeat__Output } from './atelier/v1/Heartbeat.js';
import type { HeartbeatAck as _atelier_v1_HeartbeatAck, HeartbeatAck__Output as _atelier_v1_HeartbeatAck__Output } from './atelier/v1/HeartbeatAck.js';
import type { Hello as _atelier_v1_Hello, Hello__Output as _atelier_v1_Hello__Output } from './atelier/v1/Hello.js';
import type { HiresFix as _atelier_v1_HiresFix, HiresFix__Output as _atelier_v1_HiresFix__Output } from './atelier/v1/HiresFix.js';
import type { ItemResult as _atelier_v1_ItemResult, ItemResult__Output as _atelier_v1_ItemResult__Output } from './atelier/v1/ItemResult.js';
import type { ItemResults as _atelier_v1_ItemResults, ItemResults__Output as _atelier_v1_ItemResults__Output } from './atelier/v1/ItemResults.js';
import type { KeywordContribution as _atelier_v1_KeywordContribution, KeywordContribution__Output as _atelier_v1_KeywordContribution__Output } from './atelier/v1/KeywordContribution.js';
import type { LeaseRef as _atelier_v1_LeaseRef, LeaseRef__Output as _atelier_v1_LeaseRef__Output } from './atelier/v1/LeaseRef.js';
import type { ModelInfo as _atelier_v1_ModelInfo, ModelInfo__Output as _atelier_v1_ModelInfo__Output } from './atelier/v1/ModelInfo.js';
import type { PromptScore as _atelier_v1_PromptScore, PromptScore__Output as _atelier_v1_PromptScore__Output } from './atelier/v1/PromptScore.js';
import type { RenderSettings as _atelier_v1_RenderSettings, RenderSettings__Output as _atelier_v1_RenderSettings__Output } from './atelier/v1/RenderSettings.js';
import type { ResultAck as _atelier_v1_ResultAck, ResultAck__Output as _atelier_v1_ResultAck__Output } from './atelier/v1/ResultAck.js';
import type { ResultAcks as _atelier_v1_ResultAcks, ResultAcks__Output as _atelier_v1_ResultAcks__Output } from './atelier/v1/ResultAcks.js';
import type { ShardDone as _atelier_v1_ShardDone, ShardDone__Output as _atelier_v1_ShardDone__Output } from './atelier/v1/ShardDone.js';
import type { ShardReleased as _atelier_v1_ShardReleased, ShardReleased__Output as _atelier_v1_ShardReleased__Output } from './atelier/v1/ShardReleased.js';
import type { Slots as _atelier_v1_Slots, Slots__Output as _atelier_v1_Slots__Output } from './atelier/v1/Slots.js';
import type { Upscale as _atelier_v1_Upscale, Upscale__Output as _atelier_v1_Upscale__Output } from './atelier/v1/Upscale.js';
import type { Welcome as _atelier_v1_Welcome, Welcome__Output as _atelier_v1_Welcome__Output } from './atelier/v1/Welcome.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  atelier: {
    v1: {
      /**
       * One long-lived stream per agent. The agent speaks first (Hello), then
       * sends slot announcements, heartbeats and item results; the coordinator
       * sends leases (Assign), cancellations and drain requests. Every write that
       * concerns a lease carries the lease's epoch; a stale epoch is refused.
       */
      AgentLink: SubtypeConstructor<typeof grpc.Client, _atelier_v1_AgentLinkClient> & { service: _atelier_v1_AgentLinkDefinition }
      AgentMessage: MessageTypeDefinition<_atelier_v1_AgentMessage, _atelier_v1_AgentMessage__Output>
      Assign: MessageTypeDefinition<_atelier_v1_Assign, _atelier_v1_Assign__Output>
      AssignedItem: MessageTypeDefinition<_atelier_v1_AssignedItem, _atelier_v1_AssignedItem__Output>
      Attribution: MessageTypeDefinition<_atelier_v1_Attribution, _atelier_v1_Attribution__Output>
      BatchState: EnumTypeDefinition
      Cancel: MessageTypeDefinition<_atelier_v1_Cancel, _atelier_v1_Cancel__Output>
      ClipCheck: MessageTypeDefinition<_atelier_v1_ClipCheck, _atelier_v1_ClipCheck__Output>
      CoordinatorMessage: MessageTypeDefinition<_atelier_v1_CoordinatorMessage, _atelier_v1_CoordinatorMessage__Output>
      CreatorKeyword: MessageTypeDefinition<_atelier_v1_CreatorKeyword, _atelier_v1_CreatorKeyword__Output>
      Drain: MessageTypeDefinition<_atelier_v1_Drain, _atelier_v1_Drain__Output>
      Heartbeat: MessageTypeDefinition<_atelier_v1_Heartbeat, _atelier_v1_Heartbeat__Output>
      HeartbeatAck: MessageTypeDefinition<_atelier_v1_HeartbeatAck, _atelier_v1_HeartbeatAck__Output>
      Hello: MessageTypeDefinition<_atelier_v1_Hello, _atelier_v1_Hello__Output>
      HiresFix: MessageTypeDefinition<_atelier_v1_HiresFix, _atelier_v1_HiresFix__Output>
      ItemResult: MessageTypeDefinition<_atelier_v1_ItemResult, _atelier_v1_ItemResult__Output>
      ItemResults: MessageTypeDefinition<_atelier_v1_ItemResults, _atelier_v1_ItemResults__Output>
      ItemState: EnumTypeDefinition
      KeywordContribution: MessageTypeDefinition<_atelier_v1_KeywordContribution, _atelier_v1_KeywordContribution__Output>
      LeaseRef: MessageTypeDefinition<_atelier_v1_LeaseRef, _atelier_v1_LeaseRef__Output>
      ModelInfo: MessageTypeDefinition<_atelier_v1_ModelInfo, _atelier_v1_ModelInfo__Output>
      PromptScore: MessageTypeDefinition<_atelier_v1_PromptScore, _atelier_v1_PromptScore__Output>
      RenderSettings: MessageTypeDefinition<_atelier_v1_RenderSettings, _atelier_v1_RenderSettings__Output>
      ResultAck: MessageTypeDefinition<_atelier_v1_ResultAck, _atelier_v1_ResultAck__Output>
      ResultAcks: MessageTypeDefinition<_atelier_v1_ResultAcks, _atelier_v1_ResultAcks__Output>
      ShardDone: MessageTypeDefinition<_atelier_v1_ShardDone, _atelier_v1_ShardDone__Output>
      ShardReleased: MessageTypeDefinition<_atelier_v1_ShardReleased, _atelier_v1_ShardReleased__Output>
      Slots: MessageTypeDefinition<_atelier_v1_Slots, _atelier_v1_Slots__Output>
      Upscale: MessageTypeDefinition<_atelier_v1_Upscale, _atelier_v1_Upscale__Output>
      Welcome: MessageTypeDefinition<_atelier_v1_Welcome, _atelier_v1_Welcome__Output>
    }
  }
}

