// Original file: proto/atelier/v1/farm.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddWebhookRequest as _atelier_v1_AddWebhookRequest, AddWebhookRequest__Output as _atelier_v1_AddWebhookRequest__Output } from '../../atelier/v1/AddWebhookRequest.js';
import type { Agent as _atelier_v1_Agent, Agent__Output as _atelier_v1_Agent__Output } from '../../atelier/v1/Agent.js';
import type { Batch as _atelier_v1_Batch, Batch__Output as _atelier_v1_Batch__Output } from '../../atelier/v1/Batch.js';
import type { BatchProgress as _atelier_v1_BatchProgress, BatchProgress__Output as _atelier_v1_BatchProgress__Output } from '../../atelier/v1/BatchProgress.js';
import type { BatchReport as _atelier_v1_BatchReport, BatchReport__Output as _atelier_v1_BatchReport__Output } from '../../atelier/v1/BatchReport.js';
import type { CancelBatchRequest as _atelier_v1_CancelBatchRequest, CancelBatchRequest__Output as _atelier_v1_CancelBatchRequest__Output } from '../../atelier/v1/CancelBatchRequest.js';
import type { CreateTokenRequest as _atelier_v1_CreateTokenRequest, CreateTokenRequest__Output as _atelier_v1_CreateTokenRequest__Output } from '../../atelier/v1/CreateTokenRequest.js';
import type { CreatedToken as _atelier_v1_CreatedToken, CreatedToken__Output as _atelier_v1_CreatedToken__Output } from '../../atelier/v1/CreatedToken.js';
import type { DrainAgentRequest as _atelier_v1_DrainAgentRequest, DrainAgentRequest__Output as _atelier_v1_DrainAgentRequest__Output } from '../../atelier/v1/DrainAgentRequest.js';
import type { EnrollAgentRequest as _atelier_v1_EnrollAgentRequest, EnrollAgentRequest__Output as _atelier_v1_EnrollAgentRequest__Output } from '../../atelier/v1/EnrollAgentRequest.js';
import type { EnrolledAgent as _atelier_v1_EnrolledAgent, EnrolledAgent__Output as _atelier_v1_EnrolledAgent__Output } from '../../atelier/v1/EnrolledAgent.js';
import type { ExportOutputsRequest as _atelier_v1_ExportOutputsRequest, ExportOutputsRequest__Output as _atelier_v1_ExportOutputsRequest__Output } from '../../atelier/v1/ExportOutputsRequest.js';
import type { ExportRow as _atelier_v1_ExportRow, ExportRow__Output as _atelier_v1_ExportRow__Output } from '../../atelier/v1/ExportRow.js';
import type { GetBatchReportRequest as _atelier_v1_GetBatchReportRequest, GetBatchReportRequest__Output as _atelier_v1_GetBatchReportRequest__Output } from '../../atelier/v1/GetBatchReportRequest.js';
import type { GetBatchRequest as _atelier_v1_GetBatchRequest, GetBatchRequest__Output as _atelier_v1_GetBatchRequest__Output } from '../../atelier/v1/GetBatchRequest.js';
import type { GetVersionRequest as _atelier_v1_GetVersionRequest, GetVersionRequest__Output as _atelier_v1_GetVersionRequest__Output } from '../../atelier/v1/GetVersionRequest.js';
import type { ListAgentsRequest as _atelier_v1_ListAgentsRequest, ListAgentsRequest__Output as _atelier_v1_ListAgentsRequest__Output } from '../../atelier/v1/ListAgentsRequest.js';
import type { ListAgentsResponse as _atelier_v1_ListAgentsResponse, ListAgentsResponse__Output as _atelier_v1_ListAgentsResponse__Output } from '../../atelier/v1/ListAgentsResponse.js';
import type { ListAuditEventsRequest as _atelier_v1_ListAuditEventsRequest, ListAuditEventsRequest__Output as _atelier_v1_ListAuditEventsRequest__Output } from '../../atelier/v1/ListAuditEventsRequest.js';
import type { ListAuditEventsResponse as _atelier_v1_ListAuditEventsResponse, ListAuditEventsResponse__Output as _atelier_v1_ListAuditEventsResponse__Output } from '../../atelier/v1/ListAuditEventsResponse.js';
import type { ListOutputsRequest as _atelier_v1_ListOutputsRequest, ListOutputsRequest__Output as _atelier_v1_ListOutputsRequest__Output } from '../../atelier/v1/ListOutputsRequest.js';
import type { ListTokensRequest as _atelier_v1_ListTokensRequest, ListTokensRequest__Output as _atelier_v1_ListTokensRequest__Output } from '../../atelier/v1/ListTokensRequest.js';
import type { ListTokensResponse as _atelier_v1_ListTokensResponse, ListTokensResponse__Output as _atelier_v1_ListTokensResponse__Output } from '../../atelier/v1/ListTokensResponse.js';
import type { ListWebhookDeliveriesRequest as _atelier_v1_ListWebhookDeliveriesRequest, ListWebhookDeliveriesRequest__Output as _atelier_v1_ListWebhookDeliveriesRequest__Output } from '../../atelier/v1/ListWebhookDeliveriesRequest.js';
import type { ListWebhookDeliveriesResponse as _atelier_v1_ListWebhookDeliveriesResponse, ListWebhookDeliveriesResponse__Output as _atelier_v1_ListWebhookDeliveriesResponse__Output } from '../../atelier/v1/ListWebhookDeliveriesResponse.js';
import type { ListWebhooksRequest as _atelier_v1_ListWebhooksRequest, ListWebhooksRequest__Output as _atelier_v1_ListWebhooksRequest__Output } from '../../atelier/v1/ListWebhooksRequest.js';
import type { ListWebhooksResponse as _atelier_v1_ListWebhooksResponse, ListWebhooksResponse__Output as _atelier_v1_ListWebhooksResponse__Output } from '../../atelier/v1/ListWebhooksResponse.js';
import type { Output as _atelier_v1_Output, Output__Output as _atelier_v1_Output__Output } from '../../atelier/v1/Output.js';
import type { RemoveWebhookRequest as _atelier_v1_RemoveWebhookRequest, RemoveWebhookRequest__Output as _atelier_v1_RemoveWebhookRequest__Output } from '../../atelier/v1/RemoveWebhookRequest.js';
import type { RemoveWebhookResponse as _atelier_v1_RemoveWebhookResponse, RemoveWebhookResponse__Output as _atelier_v1_RemoveWebhookResponse__Output } from '../../atelier/v1/RemoveWebhookResponse.js';
import type { RevokeAgentRequest as _atelier_v1_RevokeAgentRequest, RevokeAgentRequest__Output as _atelier_v1_RevokeAgentRequest__Output } from '../../atelier/v1/RevokeAgentRequest.js';
import type { RevokeAgentResponse as _atelier_v1_RevokeAgentResponse, RevokeAgentResponse__Output as _atelier_v1_RevokeAgentResponse__Output } from '../../atelier/v1/RevokeAgentResponse.js';
import type { RevokeTokenRequest as _atelier_v1_RevokeTokenRequest, RevokeTokenRequest__Output as _atelier_v1_RevokeTokenRequest__Output } from '../../atelier/v1/RevokeTokenRequest.js';
import type { RevokeTokenResponse as _atelier_v1_RevokeTokenResponse, RevokeTokenResponse__Output as _atelier_v1_RevokeTokenResponse__Output } from '../../atelier/v1/RevokeTokenResponse.js';
import type { RotateWebhookSecretRequest as _atelier_v1_RotateWebhookSecretRequest, RotateWebhookSecretRequest__Output as _atelier_v1_RotateWebhookSecretRequest__Output } from '../../atelier/v1/RotateWebhookSecretRequest.js';
import type { SubmitBatchRequest as _atelier_v1_SubmitBatchRequest, SubmitBatchRequest__Output as _atelier_v1_SubmitBatchRequest__Output } from '../../atelier/v1/SubmitBatchRequest.js';
import type { SubmitBatchResponse as _atelier_v1_SubmitBatchResponse, SubmitBatchResponse__Output as _atelier_v1_SubmitBatchResponse__Output } from '../../atelier/v1/SubmitBatchResponse.js';
import type { TestWebhookRequest as _atelier_v1_TestWebhookRequest, TestWebhookRequest__Output as _atelier_v1_TestWebhookRequest__Output } from '../../atelier/v1/TestWebhookRequest.js';
import type { TestWebhookResponse as _atelier_v1_TestWebhookResponse, TestWebhookResponse__Output as _atelier_v1_TestWebhookResponse__Output } from '../../atelier/v1/TestWebhookResponse.js';
import type { Version as _atelier_v1_Version, Version__Output as _atelier_v1_Version__Output } from '../../atelier/v1/Version.js';
import type { WatchBatchRequest as _atelier_v1_WatchBatchRequest, WatchBatchRequest__Output as _atelier_v1_WatchBatchRequest__Output } from '../../atelier/v1/WatchBatchRequest.js';
import type { WebhookSecret as _atelier_v1_WebhookSecret, WebhookSecret__Output as _atelier_v1_WebhookSecret__Output } from '../../atelier/v1/WebhookSecret.js';

/**
 * The client-facing API: submit, watch and browse batches; see the farm.
 */
export interface FarmClient extends grpc.Client {
  /**
   * A tenant's webhook endpoints (see webhooks.proto): its own tenant's for a
   * tenant token, any tenant's for an admin. Deliveries are signed per
   * Standard Webhooks; TestWebhook sends a webhook.test event.
   */
  AddWebhook(argument: _atelier_v1_AddWebhookRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  AddWebhook(argument: _atelier_v1_AddWebhookRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  AddWebhook(argument: _atelier_v1_AddWebhookRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  AddWebhook(argument: _atelier_v1_AddWebhookRequest, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  /**
   * A tenant's webhook endpoints (see webhooks.proto): its own tenant's for a
   * tenant token, any tenant's for an admin. Deliveries are signed per
   * Standard Webhooks; TestWebhook sends a webhook.test event.
   */
  addWebhook(argument: _atelier_v1_AddWebhookRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  addWebhook(argument: _atelier_v1_AddWebhookRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  addWebhook(argument: _atelier_v1_AddWebhookRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  addWebhook(argument: _atelier_v1_AddWebhookRequest, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  
  CancelBatch(argument: _atelier_v1_CancelBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  CancelBatch(argument: _atelier_v1_CancelBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  CancelBatch(argument: _atelier_v1_CancelBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  CancelBatch(argument: _atelier_v1_CancelBatchRequest, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  cancelBatch(argument: _atelier_v1_CancelBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  cancelBatch(argument: _atelier_v1_CancelBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  cancelBatch(argument: _atelier_v1_CancelBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  cancelBatch(argument: _atelier_v1_CancelBatchRequest, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  
  /**
   * Admin only: tenant API tokens, agent enrollment and the audit log. With
   * direct database access, `atelier tokens` and `atelier agents enroll` do
   * the same without a coordinator.
   */
  CreateToken(argument: _atelier_v1_CreateTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_CreatedToken__Output>): grpc.ClientUnaryCall;
  CreateToken(argument: _atelier_v1_CreateTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_CreatedToken__Output>): grpc.ClientUnaryCall;
  CreateToken(argument: _atelier_v1_CreateTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_CreatedToken__Output>): grpc.ClientUnaryCall;
  CreateToken(argument: _atelier_v1_CreateTokenRequest, callback: grpc.requestCallback<_atelier_v1_CreatedToken__Output>): grpc.ClientUnaryCall;
  /**
   * Admin only: tenant API tokens, agent enrollment and the audit log. With
   * direct database access, `atelier tokens` and `atelier agents enroll` do
   * the same without a coordinator.
   */
  createToken(argument: _atelier_v1_CreateTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_CreatedToken__Output>): grpc.ClientUnaryCall;
  createToken(argument: _atelier_v1_CreateTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_CreatedToken__Output>): grpc.ClientUnaryCall;
  createToken(argument: _atelier_v1_CreateTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_CreatedToken__Output>): grpc.ClientUnaryCall;
  createToken(argument: _atelier_v1_CreateTokenRequest, callback: grpc.requestCallback<_atelier_v1_CreatedToken__Output>): grpc.ClientUnaryCall;
  
  DrainAgent(argument: _atelier_v1_DrainAgentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  DrainAgent(argument: _atelier_v1_DrainAgentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  DrainAgent(argument: _atelier_v1_DrainAgentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  DrainAgent(argument: _atelier_v1_DrainAgentRequest, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  drainAgent(argument: _atelier_v1_DrainAgentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  drainAgent(argument: _atelier_v1_DrainAgentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  drainAgent(argument: _atelier_v1_DrainAgentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  drainAgent(argument: _atelier_v1_DrainAgentRequest, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  
  EnrollAgent(argument: _atelier_v1_EnrollAgentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_EnrolledAgent__Output>): grpc.ClientUnaryCall;
  EnrollAgent(argument: _atelier_v1_EnrollAgentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_EnrolledAgent__Output>): grpc.ClientUnaryCall;
  EnrollAgent(argument: _atelier_v1_EnrollAgentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_EnrolledAgent__Output>): grpc.ClientUnaryCall;
  EnrollAgent(argument: _atelier_v1_EnrollAgentRequest, callback: grpc.requestCallback<_atelier_v1_EnrolledAgent__Output>): grpc.ClientUnaryCall;
  enrollAgent(argument: _atelier_v1_EnrollAgentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_EnrolledAgent__Output>): grpc.ClientUnaryCall;
  enrollAgent(argument: _atelier_v1_EnrollAgentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_EnrolledAgent__Output>): grpc.ClientUnaryCall;
  enrollAgent(argument: _atelier_v1_EnrollAgentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_EnrolledAgent__Output>): grpc.ClientUnaryCall;
  enrollAgent(argument: _atelier_v1_EnrollAgentRequest, callback: grpc.requestCallback<_atelier_v1_EnrolledAgent__Output>): grpc.ClientUnaryCall;
  
  /**
   * Dataset export: a finished batch's outputs with every setting and score,
   * in item order then object key, from just after a cursor (a resumed export).
   */
  ExportOutputs(argument: _atelier_v1_ExportOutputsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_ExportRow__Output>;
  ExportOutputs(argument: _atelier_v1_ExportOutputsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_ExportRow__Output>;
  /**
   * Dataset export: a finished batch's outputs with every setting and score,
   * in item order then object key, from just after a cursor (a resumed export).
   */
  exportOutputs(argument: _atelier_v1_ExportOutputsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_ExportRow__Output>;
  exportOutputs(argument: _atelier_v1_ExportOutputsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_ExportRow__Output>;
  
  GetBatch(argument: _atelier_v1_GetBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  GetBatch(argument: _atelier_v1_GetBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  GetBatch(argument: _atelier_v1_GetBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  GetBatch(argument: _atelier_v1_GetBatchRequest, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  getBatch(argument: _atelier_v1_GetBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  getBatch(argument: _atelier_v1_GetBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  getBatch(argument: _atelier_v1_GetBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  getBatch(argument: _atelier_v1_GetBatchRequest, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  
  /**
   * A batch's CLIP figures: accepted, rejected and exhausted counts, score
   * deciles and fidelity rate, computed from its output rows.
   */
  GetBatchReport(argument: _atelier_v1_GetBatchReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_BatchReport__Output>): grpc.ClientUnaryCall;
  GetBatchReport(argument: _atelier_v1_GetBatchReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_BatchReport__Output>): grpc.ClientUnaryCall;
  GetBatchReport(argument: _atelier_v1_GetBatchReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_BatchReport__Output>): grpc.ClientUnaryCall;
  GetBatchReport(argument: _atelier_v1_GetBatchReportRequest, callback: grpc.requestCallback<_atelier_v1_BatchReport__Output>): grpc.ClientUnaryCall;
  /**
   * A batch's CLIP figures: accepted, rejected and exhausted counts, score
   * deciles and fidelity rate, computed from its output rows.
   */
  getBatchReport(argument: _atelier_v1_GetBatchReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_BatchReport__Output>): grpc.ClientUnaryCall;
  getBatchReport(argument: _atelier_v1_GetBatchReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_BatchReport__Output>): grpc.ClientUnaryCall;
  getBatchReport(argument: _atelier_v1_GetBatchReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_BatchReport__Output>): grpc.ClientUnaryCall;
  getBatchReport(argument: _atelier_v1_GetBatchReportRequest, callback: grpc.requestCallback<_atelier_v1_BatchReport__Output>): grpc.ClientUnaryCall;
  
  GetVersion(argument: _atelier_v1_GetVersionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Version__Output>): grpc.ClientUnaryCall;
  GetVersion(argument: _atelier_v1_GetVersionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_Version__Output>): grpc.ClientUnaryCall;
  GetVersion(argument: _atelier_v1_GetVersionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Version__Output>): grpc.ClientUnaryCall;
  GetVersion(argument: _atelier_v1_GetVersionRequest, callback: grpc.requestCallback<_atelier_v1_Version__Output>): grpc.ClientUnaryCall;
  getVersion(argument: _atelier_v1_GetVersionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Version__Output>): grpc.ClientUnaryCall;
  getVersion(argument: _atelier_v1_GetVersionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_Version__Output>): grpc.ClientUnaryCall;
  getVersion(argument: _atelier_v1_GetVersionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Version__Output>): grpc.ClientUnaryCall;
  getVersion(argument: _atelier_v1_GetVersionRequest, callback: grpc.requestCallback<_atelier_v1_Version__Output>): grpc.ClientUnaryCall;
  
  ListAgents(argument: _atelier_v1_ListAgentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _atelier_v1_ListAgentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _atelier_v1_ListAgentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _atelier_v1_ListAgentsRequest, callback: grpc.requestCallback<_atelier_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _atelier_v1_ListAgentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _atelier_v1_ListAgentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _atelier_v1_ListAgentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _atelier_v1_ListAgentsRequest, callback: grpc.requestCallback<_atelier_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  
  ListAuditEvents(argument: _atelier_v1_ListAuditEventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  ListAuditEvents(argument: _atelier_v1_ListAuditEventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_ListAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  ListAuditEvents(argument: _atelier_v1_ListAuditEventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  ListAuditEvents(argument: _atelier_v1_ListAuditEventsRequest, callback: grpc.requestCallback<_atelier_v1_ListAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  listAuditEvents(argument: _atelier_v1_ListAuditEventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  listAuditEvents(argument: _atelier_v1_ListAuditEventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_ListAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  listAuditEvents(argument: _atelier_v1_ListAuditEventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  listAuditEvents(argument: _atelier_v1_ListAuditEventsRequest, callback: grpc.requestCallback<_atelier_v1_ListAuditEventsResponse__Output>): grpc.ClientUnaryCall;
  
  ListOutputs(argument: _atelier_v1_ListOutputsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_Output__Output>;
  ListOutputs(argument: _atelier_v1_ListOutputsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_Output__Output>;
  listOutputs(argument: _atelier_v1_ListOutputsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_Output__Output>;
  listOutputs(argument: _atelier_v1_ListOutputsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_Output__Output>;
  
  ListTokens(argument: _atelier_v1_ListTokensRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  ListTokens(argument: _atelier_v1_ListTokensRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  ListTokens(argument: _atelier_v1_ListTokensRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  ListTokens(argument: _atelier_v1_ListTokensRequest, callback: grpc.requestCallback<_atelier_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  listTokens(argument: _atelier_v1_ListTokensRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  listTokens(argument: _atelier_v1_ListTokensRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  listTokens(argument: _atelier_v1_ListTokensRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  listTokens(argument: _atelier_v1_ListTokensRequest, callback: grpc.requestCallback<_atelier_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * An endpoint's delivery log, newest first.
   */
  ListWebhookDeliveries(argument: _atelier_v1_ListWebhookDeliveriesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListWebhookDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  ListWebhookDeliveries(argument: _atelier_v1_ListWebhookDeliveriesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_ListWebhookDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  ListWebhookDeliveries(argument: _atelier_v1_ListWebhookDeliveriesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListWebhookDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  ListWebhookDeliveries(argument: _atelier_v1_ListWebhookDeliveriesRequest, callback: grpc.requestCallback<_atelier_v1_ListWebhookDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * An endpoint's delivery log, newest first.
   */
  listWebhookDeliveries(argument: _atelier_v1_ListWebhookDeliveriesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListWebhookDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  listWebhookDeliveries(argument: _atelier_v1_ListWebhookDeliveriesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_ListWebhookDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  listWebhookDeliveries(argument: _atelier_v1_ListWebhookDeliveriesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListWebhookDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  listWebhookDeliveries(argument: _atelier_v1_ListWebhookDeliveriesRequest, callback: grpc.requestCallback<_atelier_v1_ListWebhookDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  
  ListWebhooks(argument: _atelier_v1_ListWebhooksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListWebhooksResponse__Output>): grpc.ClientUnaryCall;
  ListWebhooks(argument: _atelier_v1_ListWebhooksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_ListWebhooksResponse__Output>): grpc.ClientUnaryCall;
  ListWebhooks(argument: _atelier_v1_ListWebhooksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListWebhooksResponse__Output>): grpc.ClientUnaryCall;
  ListWebhooks(argument: _atelier_v1_ListWebhooksRequest, callback: grpc.requestCallback<_atelier_v1_ListWebhooksResponse__Output>): grpc.ClientUnaryCall;
  listWebhooks(argument: _atelier_v1_ListWebhooksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListWebhooksResponse__Output>): grpc.ClientUnaryCall;
  listWebhooks(argument: _atelier_v1_ListWebhooksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_ListWebhooksResponse__Output>): grpc.ClientUnaryCall;
  listWebhooks(argument: _atelier_v1_ListWebhooksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_ListWebhooksResponse__Output>): grpc.ClientUnaryCall;
  listWebhooks(argument: _atelier_v1_ListWebhooksRequest, callback: grpc.requestCallback<_atelier_v1_ListWebhooksResponse__Output>): grpc.ClientUnaryCall;
  
  RemoveWebhook(argument: _atelier_v1_RemoveWebhookRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_RemoveWebhookResponse__Output>): grpc.ClientUnaryCall;
  RemoveWebhook(argument: _atelier_v1_RemoveWebhookRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_RemoveWebhookResponse__Output>): grpc.ClientUnaryCall;
  RemoveWebhook(argument: _atelier_v1_RemoveWebhookRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_RemoveWebhookResponse__Output>): grpc.ClientUnaryCall;
  RemoveWebhook(argument: _atelier_v1_RemoveWebhookRequest, callback: grpc.requestCallback<_atelier_v1_RemoveWebhookResponse__Output>): grpc.ClientUnaryCall;
  removeWebhook(argument: _atelier_v1_RemoveWebhookRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_RemoveWebhookResponse__Output>): grpc.ClientUnaryCall;
  removeWebhook(argument: _atelier_v1_RemoveWebhookRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_RemoveWebhookResponse__Output>): grpc.ClientUnaryCall;
  removeWebhook(argument: _atelier_v1_RemoveWebhookRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_RemoveWebhookResponse__Output>): grpc.ClientUnaryCall;
  removeWebhook(argument: _atelier_v1_RemoveWebhookRequest, callback: grpc.requestCallback<_atelier_v1_RemoveWebhookResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Revokes an agent's credentials; its stream to this coordinator ends.
   */
  RevokeAgent(argument: _atelier_v1_RevokeAgentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_RevokeAgentResponse__Output>): grpc.ClientUnaryCall;
  RevokeAgent(argument: _atelier_v1_RevokeAgentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_RevokeAgentResponse__Output>): grpc.ClientUnaryCall;
  RevokeAgent(argument: _atelier_v1_RevokeAgentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_RevokeAgentResponse__Output>): grpc.ClientUnaryCall;
  RevokeAgent(argument: _atelier_v1_RevokeAgentRequest, callback: grpc.requestCallback<_atelier_v1_RevokeAgentResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Revokes an agent's credentials; its stream to this coordinator ends.
   */
  revokeAgent(argument: _atelier_v1_RevokeAgentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_RevokeAgentResponse__Output>): grpc.ClientUnaryCall;
  revokeAgent(argument: _atelier_v1_RevokeAgentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_RevokeAgentResponse__Output>): grpc.ClientUnaryCall;
  revokeAgent(argument: _atelier_v1_RevokeAgentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_RevokeAgentResponse__Output>): grpc.ClientUnaryCall;
  revokeAgent(argument: _atelier_v1_RevokeAgentRequest, callback: grpc.requestCallback<_atelier_v1_RevokeAgentResponse__Output>): grpc.ClientUnaryCall;
  
  RevokeToken(argument: _atelier_v1_RevokeTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  RevokeToken(argument: _atelier_v1_RevokeTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  RevokeToken(argument: _atelier_v1_RevokeTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  RevokeToken(argument: _atelier_v1_RevokeTokenRequest, callback: grpc.requestCallback<_atelier_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  revokeToken(argument: _atelier_v1_RevokeTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  revokeToken(argument: _atelier_v1_RevokeTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  revokeToken(argument: _atelier_v1_RevokeTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  revokeToken(argument: _atelier_v1_RevokeTokenRequest, callback: grpc.requestCallback<_atelier_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  
  RotateWebhookSecret(argument: _atelier_v1_RotateWebhookSecretRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  RotateWebhookSecret(argument: _atelier_v1_RotateWebhookSecretRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  RotateWebhookSecret(argument: _atelier_v1_RotateWebhookSecretRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  RotateWebhookSecret(argument: _atelier_v1_RotateWebhookSecretRequest, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  rotateWebhookSecret(argument: _atelier_v1_RotateWebhookSecretRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  rotateWebhookSecret(argument: _atelier_v1_RotateWebhookSecretRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  rotateWebhookSecret(argument: _atelier_v1_RotateWebhookSecretRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  rotateWebhookSecret(argument: _atelier_v1_RotateWebhookSecretRequest, callback: grpc.requestCallback<_atelier_v1_WebhookSecret__Output>): grpc.ClientUnaryCall;
  
  /**
   * A header first, then any number of chunks of items. The batch id is
   * returned once every item is durable; a rejected submission writes nothing.
   */
  SubmitBatch(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_SubmitBatchResponse__Output>): grpc.ClientWritableStream<_atelier_v1_SubmitBatchRequest>;
  SubmitBatch(metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_SubmitBatchResponse__Output>): grpc.ClientWritableStream<_atelier_v1_SubmitBatchRequest>;
  SubmitBatch(options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_SubmitBatchResponse__Output>): grpc.ClientWritableStream<_atelier_v1_SubmitBatchRequest>;
  SubmitBatch(callback: grpc.requestCallback<_atelier_v1_SubmitBatchResponse__Output>): grpc.ClientWritableStream<_atelier_v1_SubmitBatchRequest>;
  /**
   * A header first, then any number of chunks of items. The batch id is
   * returned once every item is durable; a rejected submission writes nothing.
   */
  submitBatch(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_SubmitBatchResponse__Output>): grpc.ClientWritableStream<_atelier_v1_SubmitBatchRequest>;
  submitBatch(metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_SubmitBatchResponse__Output>): grpc.ClientWritableStream<_atelier_v1_SubmitBatchRequest>;
  submitBatch(options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_SubmitBatchResponse__Output>): grpc.ClientWritableStream<_atelier_v1_SubmitBatchRequest>;
  submitBatch(callback: grpc.requestCallback<_atelier_v1_SubmitBatchResponse__Output>): grpc.ClientWritableStream<_atelier_v1_SubmitBatchRequest>;
  
  TestWebhook(argument: _atelier_v1_TestWebhookRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_TestWebhookResponse__Output>): grpc.ClientUnaryCall;
  TestWebhook(argument: _atelier_v1_TestWebhookRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_TestWebhookResponse__Output>): grpc.ClientUnaryCall;
  TestWebhook(argument: _atelier_v1_TestWebhookRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_TestWebhookResponse__Output>): grpc.ClientUnaryCall;
  TestWebhook(argument: _atelier_v1_TestWebhookRequest, callback: grpc.requestCallback<_atelier_v1_TestWebhookResponse__Output>): grpc.ClientUnaryCall;
  testWebhook(argument: _atelier_v1_TestWebhookRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_TestWebhookResponse__Output>): grpc.ClientUnaryCall;
  testWebhook(argument: _atelier_v1_TestWebhookRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_TestWebhookResponse__Output>): grpc.ClientUnaryCall;
  testWebhook(argument: _atelier_v1_TestWebhookRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_TestWebhookResponse__Output>): grpc.ClientUnaryCall;
  testWebhook(argument: _atelier_v1_TestWebhookRequest, callback: grpc.requestCallback<_atelier_v1_TestWebhookResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Streams the batch's current progress, then every change until it ends.
   */
  WatchBatch(argument: _atelier_v1_WatchBatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_BatchProgress__Output>;
  WatchBatch(argument: _atelier_v1_WatchBatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_BatchProgress__Output>;
  /**
   * Streams the batch's current progress, then every change until it ends.
   */
  watchBatch(argument: _atelier_v1_WatchBatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_BatchProgress__Output>;
  watchBatch(argument: _atelier_v1_WatchBatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_BatchProgress__Output>;
  
}

/**
 * The client-facing API: submit, watch and browse batches; see the farm.
 */
export interface FarmHandlers extends grpc.UntypedServiceImplementation {
  /**
   * A tenant's webhook endpoints (see webhooks.proto): its own tenant's for a
   * tenant token, any tenant's for an admin. Deliveries are signed per
   * Standard Webhooks; TestWebhook sends a webhook.test event.
   */
  AddWebhook: grpc.handleUnaryCall<_atelier_v1_AddWebhookRequest__Output, _atelier_v1_WebhookSecret>;
  
  CancelBatch: grpc.handleUnaryCall<_atelier_v1_CancelBatchRequest__Output, _atelier_v1_Batch>;
  
  /**
   * Admin only: tenant API tokens, agent enrollment and the audit log. With
   * direct database access, `atelier tokens` and `atelier agents enroll` do
   * the same without a coordinator.
   */
  CreateToken: grpc.handleUnaryCall<_atelier_v1_CreateTokenRequest__Output, _atelier_v1_CreatedToken>;
  
  DrainAgent: grpc.handleUnaryCall<_atelier_v1_DrainAgentRequest__Output, _atelier_v1_Agent>;
  
  EnrollAgent: grpc.handleUnaryCall<_atelier_v1_EnrollAgentRequest__Output, _atelier_v1_EnrolledAgent>;
  
  /**
   * Dataset export: a finished batch's outputs with every setting and score,
   * in item order then object key, from just after a cursor (a resumed export).
   */
  ExportOutputs: grpc.handleServerStreamingCall<_atelier_v1_ExportOutputsRequest__Output, _atelier_v1_ExportRow>;
  
  GetBatch: grpc.handleUnaryCall<_atelier_v1_GetBatchRequest__Output, _atelier_v1_Batch>;
  
  /**
   * A batch's CLIP figures: accepted, rejected and exhausted counts, score
   * deciles and fidelity rate, computed from its output rows.
   */
  GetBatchReport: grpc.handleUnaryCall<_atelier_v1_GetBatchReportRequest__Output, _atelier_v1_BatchReport>;
  
  GetVersion: grpc.handleUnaryCall<_atelier_v1_GetVersionRequest__Output, _atelier_v1_Version>;
  
  ListAgents: grpc.handleUnaryCall<_atelier_v1_ListAgentsRequest__Output, _atelier_v1_ListAgentsResponse>;
  
  ListAuditEvents: grpc.handleUnaryCall<_atelier_v1_ListAuditEventsRequest__Output, _atelier_v1_ListAuditEventsResponse>;
  
  ListOutputs: grpc.handleServerStreamingCall<_atelier_v1_ListOutputsRequest__Output, _atelier_v1_Output>;
  
  ListTokens: grpc.handleUnaryCall<_atelier_v1_ListTokensRequest__Output, _atelier_v1_ListTokensResponse>;
  
  /**
   * An endpoint's delivery log, newest first.
   */
  ListWebhookDeliveries: grpc.handleUnaryCall<_atelier_v1_ListWebhookDeliveriesRequest__Output, _atelier_v1_ListWebhookDeliveriesResponse>;
  
  ListWebhooks: grpc.handleUnaryCall<_atelier_v1_ListWebhooksRequest__Output, _atelier_v1_ListWebhooksResponse>;
  
  RemoveWebhook: grpc.handleUnaryCall<_atelier_v1_RemoveWebhookRequest__Output, _atelier_v1_RemoveWebhookResponse>;
  
  /**
   * Revokes an agent's credentials; its stream to this coordinator ends.
   */
  RevokeAgent: grpc.handleUnaryCall<_atelier_v1_RevokeAgentRequest__Output, _atelier_v1_RevokeAgentResponse>;
  
  RevokeToken: grpc.handleUnaryCall<_atelier_v1_RevokeTokenRequest__Output, _atelier_v1_RevokeTokenResponse>;
  
  RotateWebhookSecret: grpc.handleUnaryCall<_atelier_v1_RotateWebhookSecretRequest__Output, _atelier_v1_WebhookSecret>;
  
  /**
   * A header first, then any number of chunks of items. The batch id is
   * returned once every item is durable; a rejected submission writes nothing.
   */
  SubmitBatch: grpc.handleClientStreamingCall<_atelier_v1_SubmitBatchRequest__Output, _atelier_v1_SubmitBatchResponse>;
  
  TestWebhook: grpc.handleUnaryCall<_atelier_v1_TestWebhookRequest__Output, _atelier_v1_TestWebhookResponse>;
  
  /**
   * Streams the batch's current progress, then every change until it ends.
   */
  WatchBatch: grpc.handleServerStreamingCall<_atelier_v1_WatchBatchRequest__Output, _atelier_v1_BatchProgress>;
  
}

export interface FarmDefinition extends grpc.ServiceDefinition {
  AddWebhook: MethodDefinition<_atelier_v1_AddWebhookRequest, _atelier_v1_WebhookSecret, _atelier_v1_AddWebhookRequest__Output, _atelier_v1_WebhookSecret__Output>
  CancelBatch: MethodDefinition<_atelier_v1_CancelBatchRequest, _atelier_v1_Batch, _atelier_v1_CancelBatchRequest__Output, _atelier_v1_Batch__Output>
  CreateToken: MethodDefinition<_atelier_v1_CreateTokenRequest, _atelier_v1_CreatedToken, _atelier_v1_CreateTokenRequest__Output, _atelier_v1_CreatedToken__Output>
  DrainAgent: MethodDefinition<_atelier_v1_DrainAgentRequest, _atelier_v1_Agent, _atelier_v1_DrainAgentRequest__Output, _atelier_v1_Agent__Output>
  EnrollAgent: MethodDefinition<_atelier_v1_EnrollAgentRequest, _atelier_v1_EnrolledAgent, _atelier_v1_EnrollAgentRequest__Output, _atelier_v1_EnrolledAgent__Output>
  ExportOutputs: MethodDefinition<_atelier_v1_ExportOutputsRequest, _atelier_v1_ExportRow, _atelier_v1_ExportOutputsRequest__Output, _atelier_v1_ExportRow__Output>
  GetBatch: MethodDefinition<_atelier_v1_GetBatchRequest, _atelier_v1_Batch, _atelier_v1_GetBatchRequest__Output, _atelier_v1_Batch__Output>
  GetBatchReport: MethodDefinition<_atelier_v1_GetBatchReportRequest, _atelier_v1_BatchReport, _atelier_v1_GetBatchReportRequest__Output, _atelier_v1_BatchReport__Output>
  GetVersion: MethodDefinition<_atelier_v1_GetVersionRequest, _atelier_v1_Version, _atelier_v1_GetVersionRequest__Output, _atelier_v1_Version__Output>
  ListAgents: MethodDefinition<_atelier_v1_ListAgentsRequest, _atelier_v1_ListAgentsResponse, _atelier_v1_ListAgentsRequest__Output, _atelier_v1_ListAgentsResponse__Output>
  ListAuditEvents: MethodDefinition<_atelier_v1_ListAuditEventsRequest, _atelier_v1_ListAuditEventsResponse, _atelier_v1_ListAuditEventsRequest__Output, _atelier_v1_ListAuditEventsResponse__Output>
  ListOutputs: MethodDefinition<_atelier_v1_ListOutputsRequest, _atelier_v1_Output, _atelier_v1_ListOutputsRequest__Output, _atelier_v1_Output__Output>
  ListTokens: MethodDefinition<_atelier_v1_ListTokensRequest, _atelier_v1_ListTokensResponse, _atelier_v1_ListTokensRequest__Output, _atelier_v1_ListTokensResponse__Output>
  ListWebhookDeliveries: MethodDefinition<_atelier_v1_ListWebhookDeliveriesRequest, _atelier_v1_ListWebhookDeliveriesResponse, _atelier_v1_ListWebhookDeliveriesRequest__Output, _atelier_v1_ListWebhookDeliveriesResponse__Output>
  ListWebhooks: MethodDefinition<_atelier_v1_ListWebhooksRequest, _atelier_v1_ListWebhooksResponse, _atelier_v1_ListWebhooksRequest__Output, _atelier_v1_ListWebhooksResponse__Output>
  RemoveWebhook: MethodDefinition<_atelier_v1_RemoveWebhookRequest, _atelier_v1_RemoveWebhookResponse, _atelier_v1_RemoveWebhookRequest__Output, _atelier_v1_RemoveWebhookResponse__Output>
  RevokeAgent: MethodDefinition<_atelier_v1_RevokeAgentRequest, _atelier_v1_RevokeAgentResponse, _atelier_v1_RevokeAgentRequest__Output, _atelier_v1_RevokeAgentResponse__Output>
  RevokeToken: MethodDefinition<_atelier_v1_RevokeTokenRequest, _atelier_v1_RevokeTokenResponse, _atelier_v1_RevokeTokenRequest__Output, _atelier_v1_RevokeTokenResponse__Output>
  RotateWebhookSecret: MethodDefinition<_atelier_v1_RotateWebhookSecretRequest, _atelier_v1_WebhookSecret, _atelier_v1_RotateWebhookSecretRequest__Output, _atelier_v1_WebhookSecret__Output>
  SubmitBatch: MethodDefinition<_atelier_v1_SubmitBatchRequest, _atelier_v1_SubmitBatchResponse, _atelier_v1_SubmitBatchRequest__Output, _atelier_v1_SubmitBatchResponse__Output>
  TestWebhook: MethodDefinition<_atelier_v1_TestWebhookRequest, _atelier_v1_TestWebhookResponse, _atelier_v1_TestWebhookRequest__Output, _atelier_v1_TestWebhookResponse__Output>
  WatchBatch: MethodDefinition<_atelier_v1_WatchBatchRequest, _atelier_v1_BatchProgress, _atelier_v1_WatchBatchRequest__Output, _atelier_v1_BatchProgress__Output>
}
