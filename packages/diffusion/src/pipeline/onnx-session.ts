import * as ort from "onnxruntime-node";
import { ModelFormatError, ProviderUnavailableError } from "../errors.ts";

export interface SessionSettings {
  /** execution providers in preference order, e.g. ["cuda", "cpu"] */
  providers: readonly string[];
  intraOpThreads: number;
}

// onnxruntime-node lists the GPU providers its binary was built with even
// when their libraries were not downloaded at install time (bundled: false).
const INSTALL_HINT = "reinstall onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12 (it brings cuda and tensorrt)";

/** Throws ProviderUnavailableError for a provider this platform's onnxruntime-node cannot have. */
export function checkProviders(providers: readonly string[]): void {
  const supported = ort.listSupportedBackends();
  for (const provider of providers) {
    if (!supported.some((backend) => backend.name === provider)) {
      throw new ProviderUnavailableError(
        `${provider} provider is not available in onnxruntime-node on ${process.platform}/${process.arch}; available: ${supported.map((b) => b.name).join(", ")}`,
      );
    }
  }
}

export async function createSession(path: string, settings: SessionSettings): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(path, {
      executionProviders: [...settings.providers],
      intraOpNumThreads: settings.intraOpThreads,
      graphOptimizationLevel: "all",
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const notInstalled = ort
      .listSupportedBackends()
      .filter((backend) => !backend.bundled && settings.providers.includes(backend.name))
      .map((backend) => backend.name);
    if (notInstalled.length > 0 && /shared library|Failed to load/i.test(message)) {
      throw new ProviderUnavailableError(`${notInstalled.join(", ")} provider not installed: ${INSTALL_HINT}`, { cause: error });
    }
    throw new ModelFormatError(`cannot load ${path} with providers [${settings.providers.join(", ")}]: ${message}`, { cause: error });
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

/** Only float32 graphs are supported; fp16 exports need conversion on the way in and out. */
export function requireFloat32(spec: TensorMetadata, component: string): void {
  if (spec.type !== "float32") {
    throw new ModelFormatError(`${component} input "${spec.name}" is ${spec.type}; only float32 exports are supported`);
  }
}

/** The output tensor's data as float32, checking its type. */
export function floatOutput(result: ort.InferenceSession.ReturnType, name: string, component: string): { data: Float32Array; dims: readonly number[] } {
  const tensor = result[name];
  if (!tensor || tensor.type !== "float32") throw new ModelFormatError(`${component} output "${name}" is ${tensor?.type ?? "missing"}; expected float32`);
  return { data: tensor.data as Float32Array, dims: tensor.dims };
}
