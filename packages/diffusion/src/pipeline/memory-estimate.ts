// A deliberately coarse model of a render's peak memory, for choosing a
// batch size from a budget. Constants are for SD 1.x/2.x-sized UNets (320 to
// 1280 channels) on a provider without fused attention, such as the CPU;
// smaller models are over-estimated, which errs on the safe side. Per UNet
// batch row (an image with classifier-free guidance takes two):
//   skip connections and the working set ~ 100 kB per latent pixel (fp32)
//   the highest-resolution attention: 8 heads x (h·w)² scores, twice (softmax in and out)
// The VAE decoder runs one image at a time at full resolution: ~6 live
// 128-channel tensors, plus its single-head attention at latent resolution.

const UNET_BYTES_PER_LATENT_PIXEL_FP32 = 100_000;
const UNET_ATTENTION_HEADS = 8;
const VAE_LIVE_CHANNELS = 6 * 128;

export interface MemoryEstimateInput {
  width: number;
  height: number;
  /** 4 for float32 models, 2 for float16 */
  elementBytes: number;
}

/** Activation bytes of one UNet batch row. */
export function unetRowBytes({ width, height, elementBytes }: MemoryEstimateInput): number {
  const latentPixels = (width / 8) * (height / 8);
  return latentPixels * UNET_BYTES_PER_LATENT_PIXEL_FP32 * (elementBytes / 4) + 2 * UNET_ATTENTION_HEADS * latentPixels ** 2 * elementBytes;
}

/** Peak bytes of decoding one image. */
export function vaeDecodeBytes({ width, height, elementBytes }: MemoryEstimateInput): number {
  const latentPixels = (width / 8) * (height / 8);
  return width * height * VAE_LIVE_CHANNELS * elementBytes + 2 * latentPixels ** 2 * elementBytes;
}

/**
 * How many images fit one UNet batch within `budgetBytes` once the weights
 * (`residentBytes`) are loaded; 0 when not even one does.
 */
export function maxBatchWithin(budgetBytes: number, residentBytes: number, input: MemoryEstimateInput, guided: boolean): number {
  const free = budgetBytes - residentBytes - vaeDecodeBytes(input);
  const perImage = (guided ? 2 : 1) * unetRowBytes(input);
  return Math.max(0, Math.floor(free / perImage));
}
