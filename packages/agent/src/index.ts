// The agent: one stream to a coordinator, shards rendered in worker threads
// through @atelier/diffusion, images uploaded straight to S3.
export { Agent, type AgentOptions } from "./agent.ts";
export { createAgent, type AgentConfig } from "./create-agent.ts";
export { discoverModels } from "./model-catalog.ts";
export { renderShard, type RenderShardOptions } from "./render-shard.ts";
export { WorkerRenderer, RenderFailed, type Renderer, type Rendered } from "./worker-renderer.ts";
export { systemClock, type Clock } from "./clock.ts";
export { createAgentMetrics, nvidiaSmiProbe, type AgentMetrics, type GpuProbe, type GpuReading } from "./metrics/index.ts";
