import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { detectModelArchitecture, type ModelArchitecture } from "@atelier/diffusion";
import { writeTestModel, writeUpscalerModel, type TestModelOptions } from "@atelier/diffusion/testing";
import { InferenceSession } from "onnxruntime-node";
import { CliError } from "../cli-error.ts";

const USAGE = "usage: atelier models inspect DIR | atelier models make-test --arch ARCH DIR";

/** The generated model of each architecture that `make-test` writes (see @atelier/diffusion/testing). */
const TEST_MODELS: Record<Exclude<ModelArchitecture, "sd2"> | "upscaler-x2", TestModelOptions | { upscaler: 2 | 4 }> = {
  sd1: {},
  "sd2-v": { predictionType: "v_prediction" },
  inpainting: { inpainting: true },
  lcm: { timestepCondDim: 256 },
  turbo: { scheduler: { timestep_spacing: "trailing" } },
  sdxl: { architecture: "sdxl" },
  "sdxl-refiner": { architecture: "sdxl-refiner" },
  upscaler: { upscaler: 4 },
  "upscaler-x2": { upscaler: 2 },
};

export async function modelsCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === "inspect") return inspect(rest);
  if (sub === "make-test") return makeTest(rest);
  throw new CliError(USAGE, 2);
}

async function makeTest(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { arch: { type: "string" } } });
  const dir = positionals[0];
  const arch = values.arch as keyof typeof TEST_MODELS | undefined;
  if (!dir || !arch) throw new CliError(USAGE, 2);
  const options = TEST_MODELS[arch];
  if (!options) throw new CliError(`--arch must be one of ${Object.keys(TEST_MODELS).join(", ")} (got "${arch}")`, 2);
  const target = resolve(dir);
  const path = "upscaler" in options
    ? await writeUpscalerModel(dirname(target), basename(target), { scale: options.upscaler })
    : await writeTestModel(dirname(target), basename(target), options);
  const { architecture } = await detectModelArchitecture(path);
  console.log(`wrote a random-weight ${architecture} test model to ${path}`);
}

/** Every ONNX session of the folder, its inputs and outputs with their types and shapes. */
async function inspect(args: string[]): Promise<void> {
  const dir = args[0];
  if (!dir) throw new CliError(USAGE, 2);
  const root = resolve(dir);
  let info;
  try {
    info = await detectModelArchitecture(root);
  } catch (error) {
    throw new CliError(`${root} is not a usable model: ${(error as Error).message}`, 1);
  }
  console.log(`${root}`);
  console.log(`  architecture: ${info.architecture} (family ${info.family}${info.predictionType ? `, ${info.predictionType}` : ""}${info.defaultSizePx ? `, ${info.defaultSizePx}px` : ""})`);
  const config = (path: string) => (existsSync(join(root, path)) ? (JSON.parse(readFileSync(join(root, path), "utf8")) as Record<string, unknown>) : undefined);
  const vae = config("vae_decoder/config.json");
  if (info.family !== "upscaler") console.log(`  vae scaling_factor: ${vae?.["scaling_factor"] ?? "0.18215 (default: vae_decoder/config.json does not say)"}`);
  const scheduler = config("scheduler/scheduler_config.json");
  if (scheduler) console.log(`  scheduler: ${JSON.stringify(scheduler)}`);
  const sessions = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, "model.onnx")))
    .map((entry) => entry.name)
    .sort();
  for (const name of sessions) {
    let session: InferenceSession;
    try {
      session = await InferenceSession.create(join(root, name, "model.onnx"), { executionProviders: ["cpu"], graphOptimizationLevel: "disabled" });
    } catch (error) {
      throw new CliError(`${join(root, name, "model.onnx")} does not load: ${(error as Error).message}`, 1);
    }
    try {
      console.log(`  ${name}/model.onnx`);
      for (const [kind, list] of [["in ", session.inputMetadata], ["out", session.outputMetadata]] as const) {
        for (const m of list) {
          const described = m.isTensor ? `${m.type}[${m.shape.map((d) => (typeof d === "number" && d >= 0 ? d : String(d || "?"))).join(",")}]` : "(not a tensor)";
          console.log(`    ${kind} ${m.name}: ${described}`);
        }
      }
    } finally {
      await session.release();
    }
  }
}
