import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AddWebhookRequest as _atelier_v1_AddWebhookRequest, AddWebhookRequest__Output as _atelier_v1_AddWebhookRequest__Output } from './atelier/v1/AddWebhookRequest.js';
import type { Agent as _atelier_v1_Agent, Agent__Output as _atelier_v1_Agent__Output } from './atelier/v1/Agent.js';
import type { AuditEvent as _atelier_v1_AuditEvent, AuditEvent__Output as _atelier_v1_AuditEvent__Output } from './atelier/v1/AuditEvent.js';
import type { Batch as _atelier_v1_Batch, Batch__Output as _atelier_v1_Batch__Output } from './atelier/v1/Batch.js';
import type { BatchHeader as _atelier_v1_BatchHeader, BatchHeader__Output as _atelier_v1_BatchHeader__Output } from './atelier/v1/BatchHeader.js';
import type { BatchProgress as _atelier_v1_BatchProgress, BatchProgress__Output as _atelier_v1_BatchProgress__Output } from './atelier/v1/BatchProgress.js';
import type { BatchReport as _atelier_v1_BatchReport, BatchReport__Output as _atelier_v1_BatchReport__Output } from './atelier/v1/BatchReport.js';
import type { CancelBatchRequest as _atelier_v1_CancelBatchRequest, CancelBatchRequest__Output as _atelier_v1_CancelBatchRequest__Output } from './atelier/v1/CancelBatchRequest.js';
import type { ClipCheck as _atelier_v1_ClipCheck, ClipCheck__Output as _atelier_v1_ClipCheck__Output } from './atelier/v1/ClipCheck.js';
import type { CreateTokenRequest as _atelier_v1_CreateTokenRequest, CreateTokenRequest__Output as _atelier_v1_CreateTokenRequest__Output } from './atelier/v1/CreateTokenRequest.js';
import type { CreatedToken as _atelier_v1_CreatedToken, CreatedToken__Output as _atelier_v1_CreatedToken__Output } from './atelier/v1/CreatedToken.js';
import type { DrainAgentRequest as _atelier_v1_DrainAgentRequest, DrainAgentRequest__Output as _atelier_v1_DrainAgentRequest__Output } from './atelier/v1/DrainAgentRequest.js';
import type { EnrollAgentRequest as _atelier_v1_EnrollAgentRequest, EnrollAgentRequest__Output as _atelier_v1_EnrollAgentRequest__Output } from './atelier/v1/EnrollAgentRequest.js';
import type { EnrolledAgent as _atelier_v1_EnrolledAgent, EnrolledAgent__Output as _atelier_v1_EnrolledAgent__Output } from './atelier/v1/EnrolledAgent.js';
import type { ExportOutputsRequest as _atelier_v1_ExportOutputsRequest, ExportOutputsRequest__Output as _atelier_v1_ExportOutputsRequest__Output } from './atelier/v1/ExportOutputsRequest.js';
import type { ExportRow as _atelier_v1_ExportRow, ExportRow__Output as _atelier_v1_ExportRow__Output } from './atelier/v1/ExportRow.js';
import type { FarmClient as _atelier_v1_FarmClient, FarmDefinition as _atelier_v1_FarmDefinition } from './atelier/v1/Farm.js';
import type { GetBatchReportRequest as _atelier_v1_GetBatchReportRequest, GetBatchReportRequest__Output as _atelier_v1_GetBatchReportRequest__Output } from './atelier/v1/GetBatchReportRequest.js';
import type { GetBatchRequest as _atelier_v1_GetBatchRequest, GetBatchRequest__Output as _atelier_v1_GetBatchRequest__Output } from './atelier/v1/GetBatchRequest.js';
import type { GetVersionRequest as _atelier_v1_GetVersionRequest, GetVersionRequest__Output as _atelier_v1_GetVersionRequest__Output } from './atelier/v1/GetVersionRequest.js';
import type { HiresFix as _atelier_v1_HiresFix, HiresFix__Output as _atelier_v1_HiresFix__Output } from './atelier/v1/HiresFix.js';
import type { ItemChunk as _atelier_v1_ItemChunk, ItemChunk__Output as _atelier_v1_ItemChunk__Output } from './atelier/v1/ItemChunk.js';
import type { ItemFailure as _atelier_v1_ItemFailure, ItemFailure__Output as _atelier_v1_ItemFailure__Output } from './atelier/v1/ItemFailure.js';
import type { ItemSpec as _atelier_v1_ItemSpec, ItemSpec__Output as _atelier_v1_ItemSpec__Output } from './atelier/v1/ItemSpec.js';
import type { ListAgentsRequest as _atelier_v1_ListAgentsRequest, ListAgentsRequest__Output as _atelier_v1_ListAgentsRequest__Output } from './atelier/v1/ListAgentsRequest.js';
import type { ListAgentsResponse as _atelier_v1_ListAgentsResponse, ListAgentsResponse__Output as _atelier_v1_ListAgentsResponse__Output } from './atelier/v1/ListAgentsResponse.js';
import type { ListAuditEventsRequest as _atelier_v1_ListAuditEventsRequest, ListAuditEventsRequest__Output as _atelier_v1_ListAuditEventsRequest__Output } from './atelier/v1/ListAuditEventsRequest.js';
import type { ListAuditEventsResponse as _atelier_v1_ListAuditEventsResponse, ListAuditEventsResponse__Output as _atelier_v1_ListAuditEventsResponse__Output } from './atelier/v1/ListAuditEventsResponse.js';
import type { ListOutputsRequest as _atelier_v1_ListOutputsRequest, ListOutputsRequest__Output as _atelier_v1_ListOutputsRequest__Output } from './atelier/v1/ListOutputsRequest.js';
import type { ListTokensRequest as _atelier_v1_ListTokensRequest, ListTokensRequest__Output as _atelier_v1_ListTokensRequest__Output } from './atelier/v1/ListTokensRequest.js';
import type { ListTokensResponse as _atelier_v1_ListTokensResponse, ListTokensResponse__Output as _atelier_v1_ListTokensResponse__Output } from './atelier/v1/ListTokensResponse.js';
import type { ListWebhookDeliveriesRequest as _atelier_v1_ListWebhookDeliveriesRequest, ListWebhookDeliveriesRequest__Output as _atelier_v1_ListWebhookDeliveriesRequest__Output } from './atelier/v1/ListWebhookDeliveriesRequest.js';
import type { ListWebhookDeliveriesResponse as _atelier_v1_ListWebhookDeliveriesResponse, ListWebhookDeliveriesResponse__Output as _atelier_v1_ListWebhookDeliveriesResponse__Output } from './atelier/v1/ListWebhookDeliveriesResponse.js';
import type { ListWebhooksRequest as _atelier_v1_ListWebhooksRequest, ListWebhooksRequest__Output as _atelier_v1_ListWebhooksRequest__Output } from './atelier/v1/ListWebhooksRequest.js';
import type { ListWebhooksResponse as _atelier_v1_ListWebhooksResponse, ListWebhooksResponse__Output as _atelier_v1_ListWebhooksResponse__Output } from './atelier/v1/ListWebhooksResponse.js';
import type { Output as _atelier_v1_Output, Output__Output as _atelier_v1_Output__Output } from './atelier/v1/Output.js';
import type { Plan as _atelier_v1_Plan, Plan__Output as _atelier_v1_Plan__Output } from './atelier/v1/Plan.js';
import type { PlanAxis as _atelier_v1_PlanAxis, PlanAxis__Output as _atelier_v1_PlanAxis__Output } from './atelier/v1/PlanAxis.js';
import type { RemoveWebhookRequest as _atelier_v1_RemoveWebhookRequest, RemoveWebhookRequest__Output as _atelier_v1_RemoveWebhookRequest__Output } from './atelier/v1/RemoveWebhookRequest.js';
import type { RemoveWebhookResponse as _atelier_v1_RemoveWebhookResponse, RemoveWebhookResponse__Output as _atelier_v1_RemoveWebhookResponse__Output } from './atelier/v1/RemoveWebhookResponse.js';
import type { RenderSettings as _atelier_v1_RenderSettings, RenderSettings__Output as _atelier_v1_RenderSettings__Output } from './atelier/v1/RenderSettings.js';
import type { RevokeAgentRequest as _atelier_v1_RevokeAgentRequest, RevokeAgentRequest__Output as _atelier_v1_RevokeAgentRequest__Output } from './atelier/v1/RevokeAgentRequest.js';
import type { RevokeAgentResponse as _atelier_v1_RevokeAgentResponse, RevokeAgentResponse__Output as _atelier_v1_RevokeAgentResponse__Output } from './atelier/v1/RevokeAgentResponse.js';
import type { RevokeTokenRequest as _atelier_v1_RevokeTokenRequest, RevokeTokenRequest__Output as _atelier_v1_RevokeTokenRequest__Output } from './atelier/v1/RevokeTokenRequest.js';
import type { RevokeTokenResponse as _atelier_v1_RevokeTokenResponse, RevokeTokenResponse__Output as _atelier_v1_RevokeTokenResponse__Output } from './atelier/v1/RevokeTokenResponse.js';
import type { RotateWebhookSecretRequest as _atelier_v1_RotateWebhookSecretRequest, RotateWebhookSecretRequest__Output as _atelier_v1_RotateWebhookSecretRequest__Output } from './atelier/v1/RotateWebhookSecretRequest.js';
import type { SeedRange as _atelier_v1_SeedRange, SeedRange__Output as _atelier_v1_SeedRange__Output } from './atelier/v1/SeedRange.js';
import type { SubmitBatchRequest as _atelier_v1_SubmitBatchRequest, SubmitBatchRequest__Output as _atelier_v1_SubmitBatchRequest__Output } from './atelier/v1/SubmitBatchRequest.js';
import type { SubmitBatchResponse as _atelier_v1_SubmitBatchResponse, SubmitBatchResponse__Output as _atelier_v1_SubmitBatchResponse__Output } from './atelier/v1/SubmitBatchResponse.js';
import type { TestWebhookRequest as _atelier_v1_TestWebhookRequest, TestWebhookRequest__Output as _atelier_v1_TestWebhookRequest__Output } from './atelier/v1/TestWebhookRequest.js';
import type { TestWebhookResponse as _atelier_v1_TestWebhookResponse, TestWebhookResponse__Output as _atelier_v1_TestWebhookResponse__Output } from './atelier/v1/TestWebhookResponse.js';
import type { TokenInfo as _atelier_v1_TokenInfo, TokenInfo__Output as _atelier_v1_TokenInfo__Output } from './atelier/v1/TokenInfo.js';
import type { Upscale as _atelier_v1_Upscale, Upscale__Output as _atelier_v1_Upscale__Output } from './atelier/v1/Upscale.js';
import type { Version as _atelier_v1_Version, Version__Output as _atelier_v1_Version__Output } from './atelier/v1/Version.js';
import type { WatchBatchRequest as _atelier_v1_WatchBatchRequest, WatchBatchRequest__Output as _atelier_v1_WatchBatchRequest__Output } from './atelier/v1/WatchBatchRequest.js';
import type { WebhookDelivery as _atelier_v1_WebhookDelivery, WebhookDelivery__Output as _atelier_v1_WebhookDelivery__Output } from './atelier/v1/WebhookDelivery.js';
import type { WebhookEndpoint as _atelier_v1_WebhookEndpoint, WebhookEndpoint__Output as _atelier_v1_WebhookEndpoint__Output } from './atelier/v1/WebhookEndpoint.js';
import type { WebhookSecret as _atelier_v1_WebhookSecret, WebhookSecret__Output as _atelier_v1_WebhookSecret__Output } from './atelier/v1/WebhookSecret.js';
import type { WildcardList as _atelier_v1_WildcardList, WildcardList__Output as _atelier_v1_WildcardList__Output } from './atelier/v1/WildcardList.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  atelier: {
    v1: {
      AddWebhookRequest: MessageTypeDefinition<_atelier_v1_AddWebhookRequest, _atelier_v1_AddWebhookRequest__Output>
      Agent: MessageTypeDefinition<_atelier_v1_Agent, _atelier_v1_Agent__Output>
      AuditEvent: MessageTypeDefinition<_atelier_v1_AuditEvent, _atelier_v1_AuditEvent__Output>
      Batch: MessageTypeDefinition<_atelier_v1_Batch, _atelier_v1_Batch__Output>
      BatchHeader: MessageTypeDefinition<_atelier_v1_BatchHeader, _atelier_v1_BatchHeader__Output>
      BatchProgress: MessageTypeDefinition<_atelier_v1_BatchProgress, _atelier_v1_BatchProgress__Output>
      BatchReport: MessageTypeDefinition<_atelier_v1_BatchReport, _atelier_v1_BatchReport__Output>
      BatchState: EnumTypeDefinition
      CancelBatchRequest: MessageTypeDefinition<_atelier_v1_CancelBatchRequest, _atelier_v1_CancelBatchRequest__Output>
      ClipCheck: MessageTypeDefinition<_atelier_v1_ClipCheck, _atelier_v1_ClipCheck__Output>
      CreateTokenRequest: MessageTypeDefinition<_atelier_v1_CreateTokenRequest, _atelier_v1_CreateTokenRequest__Output>
      CreatedToken: MessageTypeDefinition<_atelier_v1_CreatedToken, _atelier_v1_CreatedToken__Output>
      DrainAgentRequest: MessageTypeDefinition<_atelier_v1_DrainAgentRequest, _atelier_v1_DrainAgentRequest__Output>
      EnrollAgentRequest: MessageTypeDefinition<_atelier_v1_EnrollAgentRequest, _atelier_v1_EnrollAgentRequest__Output>
      EnrolledAgent: MessageTypeDefinition<_atelier_v1_EnrolledAgent, _atelier_v1_EnrolledAgent__Output>
      ExportOutputsRequest: MessageTypeDefinition<_atelier_v1_ExportOutputsRequest, _atelier_v1_ExportOutputsRequest__Output>
      ExportRow: MessageTypeDefinition<_atelier_v1_ExportRow, _atelier_v1_ExportRow__Output>
      /**
       * The client-facing API: submit, watch and browse batches; see the farm.
       */
      Farm: SubtypeConstructor<typeof grpc.Client, _atelier_v1_FarmClient> & { service: _atelier_v1_FarmDefinition }
      GetBatchReportRequest: MessageTypeDefinition<_atelier_v1_GetBatchReportRequest, _atelier_v1_GetBatchReportRequest__Output>
      GetBatchRequest: MessageTypeDefinition<_atelier_v1_GetBatchRequest, _atelier_v1_GetBatchRequest__Output>
      GetVersionRequest: MessageTypeDefinition<_atelier_v1_GetVersionRequest, _atelier_v1_GetVersionRequest__Output>
      HiresFix: MessageTypeDefinition<_atelier_v1_HiresFix, _atelier_v1_HiresFix__Output>
      ItemChunk: MessageTypeDefinition<_atelier_v1_ItemChunk, _atelier_v1_ItemChunk__Output>
      ItemFailure: MessageTypeDefinition<_atelier_v1_ItemFailure, _atelier_v1_ItemFailure__Output>
      ItemSpec: MessageTypeDefinition<_atelier_v1_ItemSpec, _atelier_v1_ItemSpec__Output>
      ItemState: EnumTypeDefinition
      ListAgentsRequest: MessageTypeDefinition<_atelier_v1_ListAgentsRequest, _atelier_v1_ListAgentsRequest__Output>
      ListAgentsResponse: MessageTypeDefinition<_atelier_v1_ListAgentsResponse, _atelier_v1_ListAgentsResponse__Output>
      ListAuditEventsRequest: MessageTypeDefinition<_atelier_v1_ListAuditEventsRequest, _atelier_v1_ListAuditEventsRequest__Output>
      ListAuditEventsResponse: MessageTypeDefinition<_atelier_v1_ListAuditEventsResponse, _atelier_v1_ListAuditEventsResponse__Output>
      ListOutputsRequest: MessageTypeDefinition<_atelier_v1_ListOutputsRequest, _atelier_v1_ListOutputsRequest__Output>
      ListTokensRequest: MessageTypeDefinition<_atelier_v1_ListTokensRequest, _atelier_v1_ListTokensRequest__Output>
      ListTokensResponse: MessageTypeDefinition<_atelier_v1_ListTokensResponse, _atelier_v1_ListTokensResponse__Output>
      ListWebhookDeliveriesRequest: MessageTypeDefinition<_atelier_v1_ListWebhookDeliveriesRequest, _atelier_v1_ListWebhookDeliveriesRequest__Output>
      ListWebhookDeliveriesResponse: MessageTypeDefinition<_atelier_v1_ListWebhookDeliveriesResponse, _atelier_v1_ListWebhookDeliveriesResponse__Output>
      ListWebhooksRequest: MessageTypeDefinition<_atelier_v1_ListWebhooksRequest, _atelier_v1_ListWebhooksRequest__Output>
      ListWebhooksResponse: MessageTypeDefinition<_atelier_v1_ListWebhooksResponse, _atelier_v1_ListWebhooksResponse__Output>
      Output: MessageTypeDefinition<_atelier_v1_Output, _atelier_v1_Output__Output>
      Plan: MessageTypeDefinition<_atelier_v1_Plan, _atelier_v1_Plan__Output>
      PlanAxis: MessageTypeDefinition<_atelier_v1_PlanAxis, _atelier_v1_PlanAxis__Output>
      RemoveWebhookRequest: MessageTypeDefinition<_atelier_v1_RemoveWebhookRequest, _atelier_v1_RemoveWebhookRequest__Output>
      RemoveWebhookResponse: MessageTypeDefinition<_atelier_v1_RemoveWebhookResponse, _atelier_v1_RemoveWebhookResponse__Output>
      RenderSettings: MessageTypeDefinition<_atelier_v1_RenderSettings, _atelier_v1_RenderSettings__Output>
      RevokeAgentRequest: MessageTypeDefinition<_atelier_v1_RevokeAgentRequest, _atelier_v1_RevokeAgentRequest__Output>
      RevokeAgentResponse: MessageTypeDefinition<_atelier_v1_RevokeAgentResponse, _atelier_v1_RevokeAgentResponse__Output>
      RevokeTokenRequest: MessageTypeDefinition<_atelier_v1_RevokeTokenRequest, _atelier_v1_RevokeTokenRequest__Output>
      RevokeTokenResponse: MessageTypeDefinition<_atelier_v1_RevokeTokenResponse, _atelier_v1_RevokeTokenResponse__Output>
      RotateWebhookSecretRequest: MessageTypeDefinition<_atelier_v1_RotateWebhookSecretRequest, _atelier_v1_RotateWebhookSecretRequest__Output>
      SeedRange: MessageTypeDefinition<_atelier_v1_SeedRange, _atelier_v1_SeedRange__Output>
      SubmitBatchRequest: MessageTypeDefinition<_atelier_v1_SubmitBatchRequest, _atelier_v1_SubmitBatchRequest__Output>
      SubmitBatchResponse: MessageTypeDefinition<_atelier_v1_SubmitBatchResponse, _atelier_v1_SubmitBatchResponse__Output>
      TestWebhookRequest: MessageTypeDefinition<_atelier_v1_TestWebhookRequest, _atelier_v1_TestWebhookRequest__Output>
      TestWebhookResponse: MessageTypeDefinition<_atelier_v1_TestWebhookResponse, _atelier_v1_TestWebhookResponse__Output>
      TokenInfo: MessageTypeDefinition<_atelier_v1_TokenInfo, _atelier_v1_TokenInfo__Output>
      Upscale: MessageTypeDefinition<_atelier_v1_Upscale, _atelier_v1_Upscale__Output>
      Version: MessageTypeDefinition<_atelier_v1_Version, _atelier_v1_Version__Output>
      WatchBatchRequest: MessageTypeDefinition<_atelier_v1_WatchBatchRequest, _atelier_v1_WatchBatchRequest__Output>
      WebhookDelivery: MessageTypeDefinition<_atelier_v1_WebhookDelivery, _atelier_v1_WebhookDelivery__Output>
      WebhookEndpoint: MessageTypeDefinition<_atelier_v1_WebhookEndpoint, _atelier_v1_WebhookEndpoint__Output>
      WebhookSecret: MessageTypeDefinition<_atelier_v1_WebhookSecret, _atelier_v1_WebhookSecret__Output>
      WildcardList: MessageTypeDefinition<_atelier_v1_WildcardList, _atelier_v1_WildcardList__Output>
    }
  }
}

