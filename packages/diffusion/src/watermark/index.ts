// @atelier/diffusion/watermark: the invisible watermark alone (no onnxruntime), for `atelier verify`.
export { DEFAULT_WATERMARK_STEP, embedWatermark, readWatermark, type WatermarkOptions, type WatermarkRead } from "./dwt-dct.ts";
export { ATELIER_MARK_BITS, ATELIER_MARK_TEXT, checkAtelierMark, MARK_MAX_BIT_ERRORS, stampAtelierMark, type MarkCheck } from "./atelier-mark.ts";
