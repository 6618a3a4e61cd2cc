// Original file: proto/atelier/v1/farm.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Agent as _atelier_v1_Agent, Agent__Output as _atelier_v1_Agent__Output } from '../../atelier/v1/Agent.js';
import type { Batch as _atelier_v1_Batch, Batch__Output as _atelier_v1_Batch__Output } from '../../atelier/v1/Batch.js';
import type { BatchProgress as _atelier_v1_BatchProgress, BatchProgress__Output as _atelier_v1_BatchProgress__Output } from '../../atelier/v1/BatchProgress.js';
import type { CancelBatchRequest as _atelier_v1_CancelBatchRequest, CancelBatchRequest__Output as _atelier_v1_CancelBatchRequest__Output } from '../../atelier/v1/CancelBatchRequest.js';
import type { DrainAgentRequest as _atelier_v1_DrainAgentRequest, DrainAgentRequest__Output as _atelier_v1_DrainAgentRequest__Output } from '../../atelier/v1/DrainAgentRequest.js';
import type { GetBatchRequest as _atelier_v1_GetBatchRequest, GetBatchRequest__Output as _atelier_v1_GetBatchRequest__Output } from '../../atelier/v1/GetBatchRequest.js';
import type { GetVersionRequest as _atelier_v1_GetVersionRequest, GetVersionRequest__Output as _atelier_v1_GetVersionRequest__Output } from '../../atelier/v1/GetVersionRequest.js';
import type { ListAgentsRequest as _atelier_v1_ListAgentsRequest, ListAgentsRequest__Output as _atelier_v1_ListAgentsRequest__Output } from '../../atelier/v1/ListAgentsRequest.js';
import type { ListAgentsResponse as _atelier_v1_ListAgentsResponse, ListAgentsResponse__Output as _atelier_v1_ListAgentsResponse__Output } from '../../atelier/v1/ListAgentsResponse.js';
import type { ListOutputsRequest as _atelier_v1_ListOutputsRequest, ListOutputsRequest__Output as _atelier_v1_ListOutputsRequest__Output } from '../../atelier/v1/ListOutputsRequest.js';
import type { Output as _atelier_v1_Output, Output__Output as _atelier_v1_Output__Output } from '../../atelier/v1/Output.js';
import type { SubmitBatchRequest as _atelier_v1_SubmitBatchRequest, SubmitBatchRequest__Output as _atelier_v1_SubmitBatchRequest__Output } from '../../atelier/v1/SubmitBatchRequest.js';
import type { SubmitBatchResponse as _atelier_v1_SubmitBatchResponse, SubmitBatchResponse__Output as _atelier_v1_SubmitBatchResponse__Output } from '../../atelier/v1/SubmitBatchResponse.js';
import type { Version as _atelier_v1_Version, Version__Output as _atelier_v1_Version__Output } from '../../atelier/v1/Version.js';
import type { WatchBatchRequest as _atelier_v1_WatchBatchRequest, WatchBatchRequest__Output as _atelier_v1_WatchBatchRequest__Output } from '../../atelier/v1/WatchBatchRequest.js';

/**
 * The client-facing API: submit, watch and browse batches; see the farm.
 */
export interface FarmClient extends grpc.Client {
  CancelBatch(argument: _atelier_v1_CancelBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  CancelBatch(argument: _atelier_v1_CancelBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  CancelBatch(argument: _atelier_v1_CancelBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  CancelBatch(argument: _atelier_v1_CancelBatchRequest, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  cancelBatch(argument: _atelier_v1_CancelBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  cancelBatch(argument: _atelier_v1_CancelBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  cancelBatch(argument: _atelier_v1_CancelBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  cancelBatch(argument: _atelier_v1_CancelBatchRequest, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  
  DrainAgent(argument: _atelier_v1_DrainAgentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  DrainAgent(argument: _atelier_v1_DrainAgentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  DrainAgent(argument: _atelier_v1_DrainAgentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  DrainAgent(argument: _atelier_v1_DrainAgentRequest, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  drainAgent(argument: _atelier_v1_DrainAgentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  drainAgent(argument: _atelier_v1_DrainAgentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  drainAgent(argument: _atelier_v1_DrainAgentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  drainAgent(argument: _atelier_v1_DrainAgentRequest, callback: grpc.requestCallback<_atelier_v1_Agent__Output>): grpc.ClientUnaryCall;
  
  GetBatch(argument: _atelier_v1_GetBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  GetBatch(argument: _atelier_v1_GetBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  GetBatch(argument: _atelier_v1_GetBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  GetBatch(argument: _atelier_v1_GetBatchRequest, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  getBatch(argument: _atelier_v1_GetBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  getBatch(argument: _atelier_v1_GetBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  getBatch(argument: _atelier_v1_GetBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  getBatch(argument: _atelier_v1_GetBatchRequest, callback: grpc.requestCallback<_atelier_v1_Batch__Output>): grpc.ClientUnaryCall;
  
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
  
  ListOutputs(argument: _atelier_v1_ListOutputsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_Output__Output>;
  ListOutputs(argument: _atelier_v1_ListOutputsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_Output__Output>;
  listOutputs(argument: _atelier_v1_ListOutputsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_Output__Output>;
  listOutputs(argument: _atelier_v1_ListOutputsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_atelier_v1_Output__Output>;
  
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
  CancelBatch: grpc.handleUnaryCall<_atelier_v1_CancelBatchRequest__Output, _atelier_v1_Batch>;
  
  DrainAgent: grpc.handleUnaryCall<_atelier_v1_DrainAgentRequest__Output, _atelier_v1_Agent>;
  
  GetBatch: grpc.handleUnaryCall<_atelier_v1_GetBatchRequest__Output, _atelier_v1_Batch>;
  
  GetVersion: grpc.handleUnaryCall<_atelier_v1_GetVersionRequest__Output, _atelier_v1_Version>;
  
  ListAgents: grpc.handleUnaryCall<_atelier_v1_ListAgentsRequest__Output, _atelier_v1_ListAgentsResponse>;
  
  ListOutputs: grpc.handleServerStreamingCall<_atelier_v1_ListOutputsRequest__Output, _atelier_v1_Output>;
  
  /**
   * A header first, then any number of chunks of items. The batch id is
   * returned once every item is durable; a rejected submission writes nothing.
   */
  SubmitBatch: grpc.handleClientStreamingCall<_atelier_v1_SubmitBatchRequest__Output, _atelier_v1_SubmitBatchResponse>;
  
  /**
   * Streams the batch's current progress, then every change until it ends.
   */
  WatchBatch: grpc.handleServerStreamingCall<_atelier_v1_WatchBatchRequest__Output, _atelier_v1_BatchProgress>;
  
}

export interface FarmDefinition extends grpc.ServiceDefinition {
  CancelBatch: MethodDefinition<_atelier_v1_CancelBatchRequest, _atelier_v1_Batch, _atelier_v1_CancelBatchRequest__Output, _atelier_v1_Batch__Output>
  DrainAgent: MethodDefinition<_atelier_v1_DrainAgentRequest, _atelier_v1_Agent, _atelier_v1_DrainAgentRequest__Output, _atelier_v1_Agent__Output>
  GetBatch: MethodDefinition<_atelier_v1_GetBatchRequest, _atelier_v1_Batch, _atelier_v1_GetBatchRequest__Output, _atelier_v1_Batch__Output>
  GetVersion: MethodDefinition<_atelier_v1_GetVersionRequest, _atelier_v1_Version, _atelier_v1_GetVersionRequest__Output, _atelier_v1_Version__Output>
  ListAgents: MethodDefinition<_atelier_v1_ListAgentsRequest, _atelier_v1_ListAgentsResponse, _atelier_v1_ListAgentsRequest__Output, _atelier_v1_ListAgentsResponse__Output>
  ListOutputs: MethodDefinition<_atelier_v1_ListOutputsRequest, _atelier_v1_Output, _atelier_v1_ListOutputsRequest__Output, _atelier_v1_Output__Output>
  SubmitBatch: MethodDefinition<_atelier_v1_SubmitBatchRequest, _atelier_v1_SubmitBatchResponse, _atelier_v1_SubmitBatchRequest__Output, _atelier_v1_SubmitBatchResponse__Output>
  WatchBatch: MethodDefinition<_atelier_v1_WatchBatchRequest, _atelier_v1_BatchProgress, _atelier_v1_WatchBatchRequest__Output, _atelier_v1_BatchProgress__Output>
}
