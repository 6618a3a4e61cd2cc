import * as ort from "onnxruntime-node";
import { ModelFormatError, ProviderUnavailableError } from "../errors.ts";
import { fromFloat16, toFloat16 } from "../onnx/float16.ts";

export type GraphOptimizationLevel = "disabled" | "basic" | "extended" | "all";

export interface SessionSettings {
  /** execution providers in preference order, e.g. ["cuda", "cpu"]; onnxruntime places each node on the first that supports it */
  providers: readonly string[];
  intraOpThreads: number;
  interOpThreads: number;
  graphOptimization: GraphOptimizationLevel;
}

/** Time spent inside onnxruntime, for the pipeline's overhead figures. */
export interface SessionClock {
  sessionRunMs: number;
  sessionRuns: number;
}

// onnxruntime-node lists the GPU providers its binary was built with even
// when their libraries were not downloaded at install time (bundled: false).
export const CUDA_INSTALL_HINT = "install its CUDA files with `ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js` (they bring cuda and tensorrt; npm install skips that script, see allowScripts in package.json)";

export async function createSession(path: string, settings: SessionSettings): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(path, {
      executionProviders: [...settings.providers],
      intraOpNumThreads: settings.intraOpThreads,
      interOpNumThreads: settings.interOpThreads,
      graphOptimizationLevel: settings.graphOptimization,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const notInstalled = ort
      .listSupportedBackends()
      .filter((backend) => !backend.bundled && settings.providers.includes(backend.name))
      .map((backend) => backend.name);
    if (notInstalled.length > 0 && /shared library|Failed to load/i.test(message)) {
      throw new ProviderUnavailableError(`${notInstalled.join(", ")} provider not installed: ${CUDA_INSTALL_HINT}`, { cause: error });
    }
    throw new ModelFormatError(`cannot load ${path} with providers [${settings.providers.join(", ")}]: ${message}`, { cause: error });
  }
}

/**
 * One model's session with onnxruntime time accounted to a clock. The
 * components (text encoder, UNet, VAE, safety checker) run through this.
 */
export class TimedSession {
  constructor(
    readonly session: ort.InferenceSession,
    private readonly clock: SessionClock = { sessionRunMs: 0, sessionRuns: 0 },
  ) {}

  async run(feeds: ort.InferenceSession.FeedsType): Promise<ort.InferenceSession.ReturnType> {
    const startedAt = performance.now();
    try {
      return await this.session.run(feeds);
    } finally {
      this.clock.sessionRunMs += performance.now() - startedAt;
      this.clock.sessionRuns++;
    }
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

export type TensorMetadata = Extract<ort.InferenceSession.ValueMetadata, { isTensor: true }>;

/** The metadata of a named input, or a ModelFormatError naming what the model has instead. */
export function inputSpec(session: ort.InferenceSession, name: string, component: string): TensorMetadata {
  const spec = session.inputMetadata.find((m) => m.name === name);
  if (!spec || !spec.isTensor) {
    throw new ModelFormatError(`${component} has no tensor input "${name}" (inputs: ${session.inputNames.join(", ")})`);
  }
  return spec;
}

/** The named output if the model has it, else its first output (exporters disagree on names). */
export function outputName(session: ort.InferenceSession, preferred: string): string {
  return session.outputNames.includes(preferred) ? preferred : session.outputNames[0]!;
}

export type FloatType = "float32" | "float16";

/** The float type a tensor input is declared with; fp16 exports declare float16. */
export function floatInputType(spec: TensorMetadata, component: string): FloatType {
  if (spec.type !== "float32" && spec.type !== "float16") {
    throw new ModelFormatError(`${component} input "${spec.name}" is ${spec.type}; expected float32 or float16`);
  }
  return spec.type;
}

/** A float tensor of the declared type; float16 data is converted from float32 here. */
export function floatTensor(type: FloatType, data: Float32Array, dims: readonly number[]): ort.Tensor {
  return type === "float32" ? new ort.Tensor("float32", data, [...dims]) : new ort.Tensor("float16", toFloat16(data), [...dims]);
}

/** An output as float32 whether the model produced float32 or float16. */
export function floatOutput(result: ort.InferenceSession.ReturnType, name: string, component: string): { data: Float32Array; dims: readonly number[] } {
  const tensor = result[name];
  if (tensor?.type === "float32") return { data: tensor.data as Float32Array, dims: tensor.dims };
  if (tensor?.type === "float16") return { data: fromFloat16(tensor.data as Uint16Array), dims: tensor.dims };
  throw new ModelFormatError(`${component} output "${name}" is ${tensor?.type ?? "missing"}; expected float32 or float16`);
}
