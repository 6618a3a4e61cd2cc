import { basename, join, resolve } from "node:path";
import { ModelFormatError } from "../errors.ts";
import { resolveProviders } from "../pipeline/execution-providers.ts";
import { floatInputType, floatOutput, floatTensor, type FloatType, createSession, TimedSession } from "../pipeline/onnx-session.ts";
import { decodeTiled, type VaeTiling } from "../pipeline/tiled-vae.ts";

// An ESRGAN-class image upscaler (Real-ESRGAN x2/x4, ESRGAN, SwinIR exports):
// a model folder with upscaler/model.onnx taking RGB NCHW float in [0,1]
// (float32 or float16) and giving the image `scale` times larger. The scale
// is measured once at load with a small probe, so any x2/x4 export works
// without a config. Big images run in overlapping tiles blended as the
// tiled VAE does (tiled-vae.ts): ESRGAN's receptive field is wider than the
// overlap, so tiles differ from a one-shot run by a little near the cuts and
// the fades hide it; a local model (the generated one) gives the same pixels.

export interface UpscalerOptions {
  providers?: string[];
  providerFallback?: boolean;
  intraOpThreads?: number;
  /** tile side, overlap and edge margin in input pixels; default 192 / 32 / 8 */
  tiling?: Partial<{ tilePx: number; overlapPx: number; marginPx: number }>;
}

const PROBE_PX = 16;
const DEFAULT_TILING = { tilePx: 192, overlapPx: 32, marginPx: 8 };

export class Upscaler {
  private closing: Promise<void> | undefined;

  private constructor(
    /** model folder basename (A1111 "Hires upscaler" / "Postprocess upscaler" name) */
    readonly name: string,
    /** output side / input side: 2 or 4 */
    readonly scale: number,
    private readonly timed: TimedSession,
    private readonly inputName: string,
    private readonly inputType: FloatType,
    private readonly outputName: string,
    private readonly tiling: VaeTiling,
  ) {}

  static async load(modelDir: string, options: UpscalerOptions = {}): Promise<Upscaler> {
    const dir = resolve(modelDir);
    const { providers } = await resolveProviders(options.providers ?? ["cpu"], options.providerFallback ?? false);
    const path = join(dir, "upscaler", "model.onnx");
    const session = await createSession(path, { providers, intraOpThreads: options.intraOpThreads ?? 1, interOpThreads: 1, graphOptimization: "all" });
    try {
      const spec = session.inputMetadata[0];
      if (!spec?.isTensor || session.inputNames.length !== 1) {
        throw new ModelFormatError(`upscaler/model.onnx must take one image tensor (it takes ${session.inputNames.join(", ")})`);
      }
      const inputType = floatInputType(spec, "upscaler");
      const outputName = session.outputNames[0]!;
      const timed = new TimedSession(session);
      const probe = await timed.run({ [spec.name]: floatTensor(inputType, new Float32Array(3 * PROBE_PX * PROBE_PX).fill(0.5), [1, 3, PROBE_PX, PROBE_PX]) });
      const dims = floatOutput(probe, outputName, "upscaler").dims;
      const scale = dims[2]! / PROBE_PX;
      if (dims.length !== 4 || dims[1] !== 3 || ![1, 2, 3, 4, 8].includes(scale) || dims[3] !== PROBE_PX * scale) {
        throw new ModelFormatError(`upscaler/model.onnx turns a [1,3,${PROBE_PX},${PROBE_PX}] image into [${dims.join(",")}]; expected [1,3,${PROBE_PX}·s,${PROBE_PX}·s]`);
      }
      const t = { ...DEFAULT_TILING, ...options.tiling };
      return new Upscaler(basename(dir), scale, timed, spec.name, inputType, outputName, { tileLatentPx: t.tilePx, overlapLatentPx: t.overlapPx, marginLatentPx: t.marginPx });
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  /** Planar RGB [3,h,w] in [0,1] -> planar [3,s·h,s·w], in tiles when larger than one tile. */
  async upscalePlanar(planar: Float32Array, width: number, height: number): Promise<Float32Array> {
    if (this.closing) throw new Error(`upscaler ${this.name} is closed`);
    const run = async (tile: Float32Array, dims: readonly number[], w: number, h: number) => {
      const result = await this.timed.run({ [this.inputName]: floatTensor(this.inputType, tile, dims) });
      const out = floatOutput(result, this.outputName, "upscaler");
      if (out.dims[2] !== h || out.dims[3] !== w) throw new ModelFormatError(`upscaler output [${out.dims.join(",")}] is not ${this.scale}x its input`);
      return out.data;
    };
    return decodeTiled(run, planar, 3, height, width, this.tiling, this.scale);
  }

  /** 8-bit RGB (interleaved) -> 8-bit RGB `scale` times larger. */
  async upscale(rgb: Uint8Array, width: number, height: number): Promise<{ rgb: Uint8Array; width: number; height: number }> {
    const plane = width * height;
    const planar = new Float32Array(3 * plane);
    for (let k = 0; k < plane; k++) for (let c = 0; c < 3; c++) planar[c * plane + k] = rgb[3 * k + c]! / 255;
    const out = await this.upscalePlanar(planar, width, height);
    const [w, h] = [width * this.scale, height * this.scale];
    const outPlane = w * h;
    const bytes = new Uint8Array(3 * outPlane);
    for (let k = 0; k < outPlane; k++) for (let c = 0; c < 3; c++) bytes[3 * k + c] = Math.round(Math.min(1, Math.max(0, out[c * outPlane + k]!)) * 255);
    return { rgb: bytes, width: w, height: h };
  }

  /** Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.timed.release();
    return this.closing;
  }
}
