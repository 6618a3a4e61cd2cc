// The coordinator: gRPC services (Farm, AgentLink), scheduler, leases,
// storage and events, /healthz, /metrics and the admin dashboard.
export { startCoordinator, type Coordinator, type CoordinatorOptions } from "./coordinator.ts";
export { startFarmRuntime, type FarmRuntime } from "./farm-runtime.ts";
export { dashboardUrl } from "./http/dashboard-url.ts";
export { localAdmin, openLocalAdmin, type LocalAdmin } from "./local-admin.ts";
export { openOperatorAdmin, type OperatorAdmin } from "./policy/operator-admin.ts";
export type { CreatorInput } from "./policy/creator-admin.ts";
export { configSchema, loadConfig, type CoordinatorConfig } from "./config.ts";
export { LIMITS } from "./limits.ts";
export { MODEL_AFFINITY, planShardSize, RateEstimate, switchAffinity, type ShardPlanInput } from "./shard-planner.ts";
export { ValidationError } from "./errors.ts";
export * from "./storage/index.ts";
export * from "./events/index.ts";
