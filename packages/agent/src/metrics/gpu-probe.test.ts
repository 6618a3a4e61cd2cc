import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createAgentMetrics } from "./agent-metrics.ts";
import { nvidiaSmiProbe, parseNvidiaSmi } from "./gpu-probe.ts";

const SAMPLE = `0, NVIDIA H100 80GB HBM3, 87, 61440, 81559
1, NVIDIA H100 80GB HBM3, [N/A], 0, 81559
`;

describe("GPU probe", () => {
  const dir = mkdtempSync(join(tmpdir(), "atelier-gpu-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A stand-in nvidia-smi: prints `output` and counts its runs in a file. */
  function fakeNvidiaSmi(output: string): { command: string; runs: () => number } {
    const command = join(dir, `nvidia-smi-${Math.random().toString(36).slice(2)}`);
    const counter = `${command}.runs`;
    writeFileSync(counter, "");
    writeFileSync(command, `#!/bin/sh\necho x >> '${counter}'\ncat <<'EOF'\n${output}EOF\n`);
    chmodSync(command, 0o755);
    return { command, runs: () => readFileSync(counter, "utf8").split("\n").filter(Boolean).length };
  }

  it("parses nvidia-smi's CSV, leaving out GPUs it cannot read", () => {
    expect(parseNvidiaSmi(SAMPLE)).toEqual([
      { index: 0, name: "NVIDIA H100 80GB HBM3", utilisation: 0.87, memoryUsedBytes: 61440 * 1024 ** 2, memoryTotalBytes: 81559 * 1024 ** 2 },
    ]);
  });

  it("runs nvidia-smi at most once per cache period, and reports its readings as metrics", async () => {
    const fake = fakeNvidiaSmi(SAMPLE);
    const probe = nvidiaSmiProbe({ command: fake.command, cacheMs: 60_000, timeoutMs: 5_000 });
    const metrics = createAgentMetrics({ gpu: probe });
    metrics.rendered({ steps: 20, inferenceMs: 2_000, uploadMs: 30, unetMs: 1_500 });
    metrics.failed(false);
    metrics.modelsLoaded(1_500);
    metrics.follow({ activeShards: 1 }, 2);
    const text = await metrics.registry.metrics();
    await metrics.registry.metrics();
    expect(fake.runs()).toBe(1);
    expect(text).toMatch(/^atelier_agent_gpu_utilization_ratio\{gpu="0",name="NVIDIA H100 80GB HBM3"\} 0\.87$/m);
    expect(text).toMatch(/^atelier_agent_gpu_memory_used_bytes\{gpu="0",name="NVIDIA H100 80GB HBM3"\} 64424509440$/m);
    expect(text).toMatch(/^atelier_agent_images_rendered_total 1$/m);
    expect(text).toMatch(/^atelier_agent_unet_seconds_total 1\.5$/m);
    expect(text).toMatch(/^atelier_agent_items_failed_total\{retryable="false"\} 1$/m);
    // 2 s over 20 steps: 0.1 s per step.
    expect(text).toMatch(/^atelier_agent_step_seconds_sum 0\.1$/m);
    expect(text).toMatch(/^atelier_agent_model_load_seconds_count 1$/m);
    expect(text).toMatch(/^atelier_agent_active_shards 1$/m);
    expect(text).toMatch(/^atelier_agent_slots 2$/m);
  });

  it("reports no GPU where nvidia-smi is missing, without trying again", async () => {
    const probe = nvidiaSmiProbe({ command: join(dir, "no-such-nvidia-smi"), cacheMs: 0, timeoutMs: 5_000 });
    expect(await probe.read()).toEqual([]);
    expect(await probe.read()).toEqual([]);
    const text = await createAgentMetrics({ gpu: probe }).registry.metrics();
    expect(text).not.toMatch(/^atelier_agent_gpu_utilization_ratio\{/m);
  });
});
