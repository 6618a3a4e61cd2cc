import { basename } from "node:path";
import { parseArgs } from "node:util";
import type { ItemSpec } from "@atelier/sdk";
import { configFields } from "@atelier/common";
import { z } from "zod";
import { CliError } from "../cli-error.ts";
import { connect, COORDINATOR_OPTION } from "../client-options.ts";
import { parseFlags } from "../flags.ts";
import { checkInputFile, InputError, readItems } from "../input-file.ts";
import { isPlanFile, readPlanFile, type PlanFile } from "../plan-file.ts";
import { toRenderSettings, type SettingValues } from "../render-settings.ts";
import { formatDuration } from "../progress-bar.ts";
import { stateName, watchBatch } from "../watch-batch.ts";

// Settings given here are defaults for the file's items; unset ones are the coordinator's to choose.
const submitFlags = z.object({
  model: z.string().optional(),
  width: configFields.integer(1).optional(),
  height: configFields.integer(1).optional(),
  steps: configFields.integer(1).optional(),
  guidance: configFields.nonNegative().optional(),
  sampler: z.string().optional(),
  "clip-skip": configFields.integer(1).optional(),
  "seed-source": z.string().optional(),
  "refiner-model": z.string().optional(),
  "refiner-start": configFields.nonNegative().optional(),
  "hires-scale": configFields.nonNegative().optional(),
  "hires-denoise": configFields.nonNegative().optional(),
  "hires-steps": configFields.integer(0).optional(),
  "hires-upscaler": z.string().optional(),
  /** An upscaler model: every image upscaled by --upscale-scale after rendering. */
  upscale: z.string().optional(),
  "upscale-scale": configFields.integer(1).optional(),
  architecture: z.string().optional(),
  /** CLIP: "score", or "fidelity" (also scored against the prompt with its roles swapped); a gate re-rolls images below --min-clip-score. */
  clip: z.string().optional(),
  "min-clip-score": z.coerce.number().optional(),
  "max-rerolls": configFields.integer(0).optional(),
  /** Counter-prompts of the fidelity check, separated by "|". */
  "counter-prompts": z.string().optional(),
  /** The first seed: items without one take seed, seed + 1, … */
  seed: configFields.integer(0, 0xffff_ffff).default(0),
  /** Images per item that does not say. */
  count: configFields.integer(1).optional(),
  tenant: z.string().optional(),
  name: z.string().optional(),
  priority: configFields.integer().default(0),
});

export async function submitCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COORDINATOR_OPTION,
      ...Object.fromEntries(Object.keys(submitFlags.shape).map((flag) => [flag, { type: "string" as const }])),
      watch: { type: "boolean", default: false },
      strict: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
    },
  });
  const file = positionals[0];
  if (!file) throw new CliError("usage: atelier submit FILE|PLAN.yaml [--model M --width W ...] [--watch] [--dry-run]", 2);
  const flags = parseFlags("submit", submitFlags, values);
  if (values["dry-run"] && values.watch) throw new CliError("--dry-run writes nothing, so there is nothing to --watch", 2);

  // Read the file once before sending anything: a bad line is reported and nothing is written.
  let planFile: PlanFile | undefined;
  try {
    if (await isPlanFile(file)) planFile = await readPlanFile(file);
    else await checkInputFile(file);
  } catch (error) {
    if (error instanceof InputError) throw new CliError(error.message, 2);
    throw error;
  }

  // Flags spell the input file's field names with "-"; a plan's own settings come before them.
  const flagSettings = Object.fromEntries(Object.entries(flags).map(([flag, value]) => [flag.replaceAll("-", "_"), value])) as SettingValues;
  let defaults;
  try {
    defaults = toRenderSettings({ ...flagSettings, ...planFile?.settings });
  } catch (error) {
    throw new CliError(planFile ? `${file}: ${(error as Error).message}` : `--${(error as Error).message.replaceAll("_", "-")}`, 2);
  }

  const client = connect(values);
  try {
    async function* items(): AsyncGenerator<ItemSpec> {
      for await (const item of readItems(file!)) yield { ...item, count: item.count || flags.count || 1 };
    }
    const header = {
      strict: values.strict,
      dryRun: values["dry-run"],
      tenant: flags.tenant ?? process.env.ATELIER_TENANT ?? "",
      name: flags.name ?? basename(file),
      priority: flags.priority,
      baseSeed: flags.seed,
      // 0 and "" (and an unset guidance): not given here.
      defaults,
    };
    const { batchId, itemCount, warnings, etaMs, megapixelSteps } = planFile ? await client.submitPlan(header, planFile.plan) : await client.submitBatch(header, items());
    if (values["dry-run"]) {
      console.log(`${basename(file)}: ${itemCount} items, ${formatMegapixelSteps(megapixelSteps)} megapixel-steps (dry run: nothing was written)`);
      console.log(etaMs > 0
        ? `ETA: about ${formatDuration(etaMs / 1000)} at the farm's recent rate, behind the queue`
        : "ETA: unknown (no image finished on the farm in the last 5 minutes, or no agent can run these items yet)");
      for (const warning of warnings) console.error(`warning: ${warning}`);
      return;
    }
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

function formatMegapixelSteps(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toPrecision(3);
}
