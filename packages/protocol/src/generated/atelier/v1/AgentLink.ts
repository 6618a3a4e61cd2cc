// Original file: proto/atelier/v1/agent_link.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentMessage as _atelier_v1_AgentMessage, AgentMessage__Output as _atelier_v1_AgentMessage__Output } from '../../atelier/v1/AgentMessage.js';
import type { CoordinatorMessage as _atelier_v1_CoordinatorMessage, CoordinatorMessage__Output as _atelier_v1_CoordinatorMessage__Output } from '../../atelier/v1/CoordinatorMessage.js';

/**
 * One long-lived stream per agent. The agent speaks first (Hello), then
 * sends slot announcements, heartbeats and item results; the coordinator
 * sends leases (Assign), cancellations and drain requests. Every write that
 * concerns a lease carries the lease's epoch; a stale epoch is refused.
 */
export interface AgentLinkClient extends grpc.Client {
  Connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_atelier_v1_AgentMessage, _atelier_v1_CoordinatorMessage__Output>;
  Connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_atelier_v1_AgentMessage, _atelier_v1_CoordinatorMessage__Output>;
  connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_atelier_v1_AgentMessage, _atelier_v1_CoordinatorMessage__Output>;
  connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_atelier_v1_AgentMessage, _atelier_v1_CoordinatorMessage__Output>;
  
}

/**
 * One long-lived stream per agent. The agent speaks first (Hello), then
 * sends slot announcements, heartbeats and item results; the coordinator
 * sends leases (Assign), cancellations and drain requests. Every write that
 * concerns a lease carries the lease's epoch; a stale epoch is refused.
 */
export interface AgentLinkHandlers extends grpc.UntypedServiceImplementation {
  Connect: grpc.handleBidiStreamingCall<_atelier_v1_AgentMessage__Output, _atelier_v1_CoordinatorMessage>;
  
}

export interface AgentLinkDefinition extends grpc.ServiceDefinition {
  Connect: MethodDefinition<_atelier_v1_AgentMessage, _atelier_v1_CoordinatorMessage, _atelier_v1_AgentMessage__Output, _atelier_v1_CoordinatorMessage__Output>
}
