import { writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createAgent, type Agent } from "@atelier/agent";
import { configFields, createLogger } from "@atelier/common";
import { dashboardUrl, loadConfig, localAdmin, startFarmRuntime } from "@atelier/coordinator";
import { readPngText } from "@atelier/diffusion/png";
import { AtelierClient } from "@atelier/sdk";
import { z } from "zod";
import { captionedContactSheet, type TileCaption } from "../captioned-contact-sheet.ts";
import { downloadOutputs } from "../download-outputs.ts";
import { parseFlags } from "../flags.ts";
import { readItems } from "../input-file.ts";
import { resolveModelsDir } from "../models-dir.ts";
import { waitForSignal } from "../signals.ts";
import { stateName, watchBatch } from "../watch-batch.ts";

const EXAMPLES = new URL("../../examples/demo-prompts.jsonl", import.meta.url);

const demoFlags = z.object({
  /** Where the images and the contact sheet go, a folder per batch. */
  out: z.string().default("atelier-out"),
  agents: configFields.integer(1, 16).default(2),
  /** A prompt file (JSONL or CSV) instead of the bundled examples. */
  prompts: z.string().optional(),
  size: configFields.integer(64, 2048).default(256),
  steps: configFields.integer(1, 150).default(20),
});

/**
 * The whole farm in one process: embedded Postgres (PGlite), an S3 server on
 * loopback, the in-process event bus, two agents rendering in worker threads
 * with the generated demo model. Renders the bundled prompts, downloads them
 * and writes a contact sheet. The dashboard watches it all; in a terminal the
 * farm keeps serving it after the batch until Ctrl-C, while scripts and CI
 * (no terminal) or --exit end with the batch.
 */
export async function demoCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { ...Object.fromEntries(Object.keys(demoFlags.shape).map((flag) => [flag, { type: "string" as const }])), exit: { type: "boolean", default: false } },
  });
  const flags = parseFlags("demo", demoFlags, values);
  const { agents: agentCount, size } = flags;
  const started = Date.now();

  const modelsDir = await resolveModelsDir(undefined);
  // Ports default to free ones so that the demo runs beside anything else.
  const config = loadConfig({ ATELIER_GRPC_PORT: "0", ATELIER_HTTP_PORT: "0", ATELIER_GRPC_HOST: "127.0.0.1", ATELIER_HTTP_HOST: "127.0.0.1", LOG_LEVEL: "warn", ...process.env });
  const log = createLogger({ level: config.LOG_LEVEL, name: "coordinator" });
  const farm = await startFarmRuntime(config, log);
  const address = `127.0.0.1:${farm.coordinator.grpcPort}`;
  const agents: Agent[] = [];
  // The demo is its own admin: it mints a tenant token and agent credentials on its embedded database.
  const admin = localAdmin(farm.db);
  const { token } = await admin.createToken({ tenant: "demo", role: "user", name: "atelier demo" });
  const client = new AtelierClient(address, { token });
  try {
    const dashboard = dashboardUrl({ host: "127.0.0.1", httpPort: farm.coordinator.httpPort, adminToken: farm.coordinator.adminToken, withToken: true });
    console.log(`atelier demo: coordinator on ${address}, metrics at http://127.0.0.1:${farm.coordinator.httpPort}/metrics`);
    console.log(`dashboard:     ${dashboard}`);
    for (let i = 1; i <= agentCount; i++) {
      const name = `demo-agent-${i}`;
      await admin.revokeAgent(name); // a demo kept in ATELIER_DATA_DIR enrolled it before
      const { credential } = await admin.enrollAgent(name, "demo");
      const agent = await createAgent({
        coordinator: address,
        security: { token: credential },
        name,
        slots: 1,
        modelsDir,
        providers: ["cpu"],
        intraOpThreads: 1,
        maxWidth: 2048,
        maxHeight: 2048,
        log: log.child({ agent: i }),
      });
      agents.push(agent);
      await agent.start();
    }
    console.log(`${agentCount} agents connected, each rendering in its own worker thread (onnxruntime, cpu)`);

    const promptsFile = flags.prompts ? resolve(flags.prompts) : EXAMPLES;
    const { batchId, itemCount } = await client.submitBatch(
      { tenant: "", name: "demo", priority: 0, baseSeed: 1, defaults: { model: "atelier-demo", width: size, height: size, steps: flags.steps, guidance: 7.5, sampler: "euler" } },
      readItems(typeof promptsFile === "string" ? promptsFile : promptsFile.pathname),
    );
    console.log(`batch ${batchId}: ${itemCount} images of ${size}x${size}`);
    const last = await watchBatch(client, batchId);

    const outDir = resolve(flags.out, batchId);
    const { files } = await downloadOutputs(client, batchId, outDir);
    const pngs = files.map((file) => new Uint8Array(readFileSync(file)));
    const sheet = captionedContactSheet(pngs, pngs.map((png, i) => captionOf(files[i]!, png)), { columns: 8, tile: 128 });
    const sheetPath = join(outDir, "contact-sheet.png");
    await writeFile(sheetPath, sheet);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`batch ${stateName(last.state)}: ${last.done} images, ${last.failed} failed, in ${seconds}s`);
    console.log(`images:        ${outDir}/`);
    console.log(`contact sheet: ${sheetPath}`);
    if (stateName(last.state) !== "completed" || Number(last.failed) > 0) process.exitCode = 1;
    if (process.stdout.isTTY && !values.exit) {
      console.log(`\nThe farm keeps serving the dashboard: ${dashboard}\nPress Ctrl-C to stop.`);
      await waitForSignal();
    }
  } finally {
    client.close();
    await Promise.all(agents.map((agent) => agent.close()));
    await farm.close();
  }
}

/** An output's index and seed from its file name (<index:08d>-<seed>.png), its prompt from its A1111 parameters. */
function captionOf(file: string, png: Uint8Array): TileCaption {
  const [, index, seed] = /^(\d+)-(\d+)\.png$/.exec(basename(file)) ?? [];
  const parameters = readPngText(png, { maxTextBytes: 64 * 1024 }).parameters ?? "";
  return { index: Number(index ?? 0), seed: Number(seed ?? 0), prompt: parameters.split("\n")[0] ?? "" };
}
