export { createAgentMetrics, type AgentMetrics, type AgentObserver } from "./agent-metrics.ts";
export { nvidiaSmiProbe, parseNvidiaSmi, type GpuProbe, type GpuReading } from "./gpu-probe.ts";
