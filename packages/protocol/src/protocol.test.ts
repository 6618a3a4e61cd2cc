import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { agentLinkService, farmService } from "./index.js";

describe("protocol", () => {
  it("committed generated types match proto/", () => {
    const script = resolve(dirname(fileURLToPath(import.meta.url)), "../scripts/generate-types.mjs");
    const run = spawnSync(process.execPath, [script, "--check"], { encoding: "utf8" });
    expect(run.stderr + run.stdout).toContain("protocol types match proto/");
    expect(run.status).toBe(0);
  });

  it("loads both services with their methods", () => {
    expect(Object.keys(farmService().service).sort()).toEqual(
      ["AddWebhook", "CancelBatch", "CreateToken", "DrainAgent", "EnrollAgent", "ExportOutputs", "GetBatch", "GetBatchReport", "GetVersion", "ListAgents", "ListAuditEvents",
        "ListOutputs", "ListTokens", "ListWebhookDeliveries", "ListWebhooks", "RemoveWebhook", "RevokeAgent", "RevokeToken", "RotateWebhookSecret", "SubmitBatch", "TestWebhook", "WatchBatch"],
    );
    const connect = agentLinkService().service.Connect;
    expect(connect.requestStream && connect.responseStream).toBe(true);
  });
});
