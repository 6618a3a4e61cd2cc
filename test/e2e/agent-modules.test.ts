import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanState, inspectBatch } from "../support/farm-checker.ts";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { finalProgress } from "../support/final-progress.ts";
import { LOADED_MODULES_HOOK, loadedPackages } from "../support/loaded-modules.ts";
import { promptSpecs } from "../support/prompt-files.ts";

// What only a coordinator needs: an agent speaks gRPC, and S3 through presigned URLs.
const COORDINATOR_ONLY = ["@atelier/coordinator", "@atelier/db", "pg", "@prisma/client", "@aws-sdk/client-s3", "nats"];

describe("an agent process", () => {
  let farm: FarmFixture;
  let log: string;
  beforeAll(async () => {
    farm = await startFarm();
    log = join(farm.modelsDir, "..", "agent-modules.log");
    // Its metrics server too: everything `atelier agent` can load, loaded.
    await farm.startAgent("traced", { NODE_OPTIONS: `--import=${LOADED_MODULES_HOOK}`, LOADED_MODULES_LOG: log, ATELIER_AGENT_HTTP_PORT: "0" });
  });
  afterAll(() => farm?.close());

  it("renders and uploads without loading the coordinator, Postgres, Prisma, the AWS SDK or NATS", async () => {
    const { batchId } = await farm.client.submitBatch(
      { tenant: "studio", name: "modules", priority: 0, baseSeed: 0, defaults: { model: "atelier-demo", width: 64, height: 64, steps: 2, guidance: 7.5, sampler: "euler" } },
      promptSpecs(2),
    );
    expect(await finalProgress(farm.client, batchId)).toMatchObject({ done: 2, failed: 0 });
    expect(await inspectBatch(farm.database.db, farm.store, batchId)).toEqual(cleanState(2));

    const loaded = loadedPackages(log);
    // The trace saw the agent's own stack, so an empty answer below means something.
    expect([...loaded]).toEqual(expect.arrayContaining(["@atelier/agent", "@atelier/common", "@atelier/diffusion", "@grpc/grpc-js", "onnxruntime-node", "pino", "prom-client"]));
    expect(COORDINATOR_ONLY.filter((name) => loaded.has(name))).toEqual([]);
  });
});
