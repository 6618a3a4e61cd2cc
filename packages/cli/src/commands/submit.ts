import { basename } from "node:path";
import { parseArgs } from "node:util";
import type { ItemSpec } from "@atelier/sdk";
import { CliError } from "../cli-error.ts";
import { connect, COORDINATOR_OPTION } from "../client-options.ts";
import { checkInputFile, InputError, readItems } from "../input-file.ts";
import { formatDuration } from "../progress-bar.ts";
import { stateName, watchBatch } from "../watch-batch.ts";

export async function submitCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COORDINATOR_OPTION,
      model: { type: "string" },
      width: { type: "string" },
      height: { type: "string" },
      steps: { type: "string" },
      guidance: { type: "string" },
      sampler: { type: "string" },
      seed: { type: "string" },
      count: { type: "string" },
      tenant: { type: "string" },
      name: { type: "string" },
      priority: { type: "string" },
      watch: { type: "boolean", default: false },
      strict: { type: "boolean", default: false },
    },
  });
  const file = positionals[0];
  if (!file) throw new CliError("usage: atelier submit FILE [--model M --width W ...] [--watch]", 2);
  const number = (flag: keyof typeof values) => {
    const raw = values[flag];
    if (raw === undefined) return 0;
    const value = Number(raw);
    if (typeof raw !== "string" || !Number.isFinite(value) || value < 0) throw new CliError(`--${flag} must be a non-negative number (got ${raw})`, 2);
    return value;
  };
  const defaultCount = number("count");
  const seed = number("seed");
  if (!Number.isInteger(seed) || seed > 0xffff_ffff) throw new CliError(`--seed must be an integer between 0 and 4294967295 (got ${values.seed})`, 2);

  // Read the file once before sending anything: a bad line is reported and nothing is written.
  try {
    await checkInputFile(file);
  } catch (error) {
    if (error instanceof InputError) throw new CliError(error.message, 2);
    throw error;
  }

  const client = connect(values);
  try {
    async function* items(): AsyncGenerator<ItemSpec> {
      for await (const item of readItems(file!)) yield { ...item, count: item.count || defaultCount || 1 };
    }
    const { batchId, itemCount, warnings, etaMs } = await client.submitBatch(
      {
        strict: values.strict,
        tenant: values.tenant ?? process.env.ATELIER_TENANT ?? "",
        name: values.name ?? basename(file),
        priority: number("priority"),
        baseSeed: seed,
        defaults: {
          model: values.model ?? "",
          width: number("width"),
          height: number("height"),
          steps: number("steps"),
          guidance: number("guidance"),
          sampler: values.sampler ?? "",
        },
      },
      items(),
    );
    console.log(`batch ${batchId}: ${itemCount} images queued${etaMs > 0 ? `, done in about ${formatDuration(etaMs / 1000)} at the farm's recent rate` : ""}`);
    for (const warning of warnings) console.error(`warning: ${warning} (these items wait for such an agent; --strict refuses instead)`);
    if (values.watch) {
      const last = await watchBatch(client, batchId);
      console.log(`batch ${batchId} ${stateName(last.state)}: ${last.done} done, ${last.failed} failed`);
      if (stateName(last.state) !== "completed") process.exitCode = 1;
    }
  } finally {
    client.close();
  }
}
