import { basename, dirname } from "node:path";
import { ModelFormatError } from "../errors.ts";
import type { ClipTokenizer } from "../tokenizer/clip-tokenizer.ts";
import { readClipImageSettings } from "./clip-image-processor.ts";
import { ClipTextEncoder } from "./clip-text-encoder.ts";
import type { ModelArchitectureInfo } from "./model-architecture.ts";
import type { ModelDirectory } from "./model-directory.ts";
import { createSession, type SessionClock, type SessionSettings } from "./onnx-session.ts";
import { SafetyCheckerModel } from "./safety-checker-model.ts";
import { UnetModel } from "./unet-model.ts";
import { VaeDecoderModel } from "./vae-decoder-model.ts";
import { VaeEncoderModel } from "./vae-encoder-model.ts";

// The onnxruntime sessions of one model folder, opened together and checked
// against each other before a pipeline uses them: a folder that mixes
// exports fails at load with a message naming the part, not mid-render with
// a shape error. No session outlives a failed load.

/** The models of a folder, each with its own onnxruntime clock (time inside session.run per model). */
export type SessionPart = "textEncoder" | "unet" | "vaeDecoder" | "vaeEncoder" | "safetyChecker";
export type PartClocks = Record<SessionPart, SessionClock>;

export function newPartClocks(): PartClocks {
  const clock = (): SessionClock => ({ sessionRunMs: 0, sessionRuns: 0 });
  return { textEncoder: clock(), unet: clock(), vaeDecoder: clock(), vaeEncoder: clock(), safetyChecker: clock() };
}

export interface Components {
  /** text_encoder (and text_encoder_2 for SDXL), in that order */
  textEncoders: ClipTextEncoder[];
  unet: UnetModel;
  vaeDecoder: VaeDecoderModel;
  vaeEncoder: VaeEncoderModel | undefined;
  safetyChecker: SafetyCheckerModel | undefined;
}

/**
 * Opens and checks every session of `model`, then hands them to `build`.
 * `build` runs under the same guard as the opening: if it, an open or a
 * check throws, the sessions opened so far are released and the error
 * propagates.
 */
export async function openComponents<T>(
  model: ModelDirectory,
  architecture: ModelArchitectureInfo,
  tokenizers: readonly ClipTokenizer[],
  settings: SessionSettings,
  clocks: PartClocks,
  build: (components: Components) => T,
): Promise<T> {
  // Sessions opened so far, released again if a later one fails.
  const opened: { release(): Promise<void> }[] = [];
  const open = async (path: string) => {
    const session = await createSession(path, settings);
    opened.push(session);
    return session;
  };
  try {
    const components: Components = {
      textEncoders: await model.textEncoders.reduce<Promise<ClipTextEncoder[]>>(
        async (done, t) => [...(await done), new ClipTextEncoder(await open(t.path), clocks.textEncoder, t.path)],
        Promise.resolve([]),
      ),
      unet: new UnetModel(await open(model.unetPath), clocks.unet, model.unetConfig),
      vaeDecoder: new VaeDecoderModel(await open(model.vaeDecoderPath), clocks.vaeDecoder),
      vaeEncoder: model.vaeEncoderPath ? new VaeEncoderModel(await open(model.vaeEncoderPath), clocks.vaeEncoder) : undefined,
      safetyChecker: model.safetyCheckerPath
        ? new SafetyCheckerModel(await open(model.safetyCheckerPath), await readClipImageSettings(model.featureExtractorConfigPath), clocks.safetyChecker)
        : undefined,
    };
    for (const [i, encoder] of components.textEncoders.entries()) {
      const window = encoder.fixedSequenceLength;
      if (window !== undefined && window !== tokenizers[i]!.maxLength) {
        throw new ModelFormatError(`${basename(dirname(model.textEncoders[i]!.path))} takes ${window} tokens but its tokenizer pads to ${tokenizers[i]!.maxLength}`);
      }
    }
    const sdxl = architecture.family === "sdxl" || architecture.family === "sdxl-refiner";
    if (sdxl !== (components.unet.addedCond !== undefined)) {
      throw new ModelFormatError(
        sdxl
          ? "the folder has SDXL's text_encoder_2/ but its unet takes no text_embeds/time_ids"
          : "unet takes text_embeds/time_ids (SDXL) but the folder has no text_encoder_2/ (export the whole SDXL pipeline with optimum-cli)",
      );
    }
    if (components.unet.isInpainting && !components.vaeEncoder) {
      throw new ModelFormatError(`unet takes ${components.unet.inputChannels} channels (inpainting) but the model has no vae_encoder/`);
    }
    return build(components);
  } catch (error) {
    await Promise.allSettled(opened.map((session) => session.release()));
    throw error;
  }
}

export async function releaseComponents(components: Components): Promise<void> {
  const { textEncoders, unet, vaeDecoder, vaeEncoder, safetyChecker } = components;
  await Promise.all([...textEncoders.map((t) => t.release()), unet.release(), vaeDecoder.release(), vaeEncoder?.release(), safetyChecker?.release()]);
}
