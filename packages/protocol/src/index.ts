// The wire contract: service definitions loaded from proto/ and the message
// types generated from it (src/generated is never edited by hand).
export { PROTO_ROOT, agentLinkService, farmService } from "./load-proto.js";
export const PROTO_VERSION = "atelier.v1";
export { clientChannel, type ClientSecurity } from "./client-security.ts";

export type { AgentLinkClient, AgentLinkHandlers } from "./generated/atelier/v1/AgentLink.js";
export type { FarmClient, FarmHandlers } from "./generated/atelier/v1/Farm.js";
export type { AgentMessage, AgentMessage__Output } from "./generated/atelier/v1/AgentMessage.js";
export type { CoordinatorMessage, CoordinatorMessage__Output } from "./generated/atelier/v1/CoordinatorMessage.js";
export type { Assign, Assign__Output } from "./generated/atelier/v1/Assign.js";
export type { AssignedItem, AssignedItem__Output } from "./generated/atelier/v1/AssignedItem.js";
export type { Hello, Hello__Output } from "./generated/atelier/v1/Hello.js";
export type { Heartbeat__Output } from "./generated/atelier/v1/Heartbeat.js";
export type { ItemResult, ItemResult__Output } from "./generated/atelier/v1/ItemResult.js";
export type { ItemResults, ItemResults__Output } from "./generated/atelier/v1/ItemResults.js";
export type { ResultAck, ResultAck__Output } from "./generated/atelier/v1/ResultAck.js";
export type { LeaseRef, LeaseRef__Output } from "./generated/atelier/v1/LeaseRef.js";
export type { RenderSettings, RenderSettings__Output } from "./generated/atelier/v1/RenderSettings.js";
export type { SubmitBatchRequest, SubmitBatchRequest__Output } from "./generated/atelier/v1/SubmitBatchRequest.js";
export type { SubmitBatchResponse, SubmitBatchResponse__Output } from "./generated/atelier/v1/SubmitBatchResponse.js";
export type { BatchHeader, BatchHeader__Output } from "./generated/atelier/v1/BatchHeader.js";
export type { ItemSpec, ItemSpec__Output } from "./generated/atelier/v1/ItemSpec.js";
export type { Batch, Batch__Output } from "./generated/atelier/v1/Batch.js";
export type { BatchProgress, BatchProgress__Output } from "./generated/atelier/v1/BatchProgress.js";
export type { BatchReport, BatchReport__Output } from "./generated/atelier/v1/BatchReport.js";
export type { ClipCheck, ClipCheck__Output } from "./generated/atelier/v1/ClipCheck.js";
export type { BatchState } from "./generated/atelier/v1/BatchState.js";
export type { Output, Output__Output } from "./generated/atelier/v1/Output.js";
export type { ExportOutputsRequest, ExportOutputsRequest__Output } from "./generated/atelier/v1/ExportOutputsRequest.js";
export type { ExportRow, ExportRow__Output } from "./generated/atelier/v1/ExportRow.js";
export type { Agent, Agent__Output } from "./generated/atelier/v1/Agent.js";
export type { Version, Version__Output } from "./generated/atelier/v1/Version.js";
export type { CreatedToken__Output } from "./generated/atelier/v1/CreatedToken.js";
export type { TokenInfo__Output } from "./generated/atelier/v1/TokenInfo.js";
export type { EnrolledAgent__Output } from "./generated/atelier/v1/EnrolledAgent.js";
export type { AuditEvent__Output } from "./generated/atelier/v1/AuditEvent.js";
export type { WebhookEndpoint, WebhookEndpoint__Output } from "./generated/atelier/v1/WebhookEndpoint.js";
export type { WebhookSecret__Output } from "./generated/atelier/v1/WebhookSecret.js";
