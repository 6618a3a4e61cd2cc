// The errors this package throws on purpose. Callers (the agent) branch on
// `name`, so names are part of the public contract and must stay stable.

/** A render request broke a documented limit; `issues` lists every broken limit. */
export class ValidationError extends Error {
  override readonly name = "ValidationError";
  constructor(readonly issues: readonly string[]) {
    super(issues.join("; "));
  }
}

/**
 * The prompt does not fit one text-encoder window (ClipTokenizer.encodeForModel);
 * nothing was truncated. The pipeline itself encodes long prompts in chunks.
 */
export class PromptTooLongError extends Error {
  override readonly name = "PromptTooLongError";
  constructor(
    readonly tokenCount: number,
    readonly windowTokens: number,
  ) {
    super(
      `prompt is ${tokenCount} tokens; the model's window is ${windowTokens} (${windowTokens - 2} usable)`,
    );
  }
}

/** The render was cancelled through its AbortSignal or by Pipeline.close(). */
export class AbortError extends Error {
  override readonly name = "AbortError";
}

/** A model directory does not match the ONNX export layout this pipeline reads. */
export class ModelFormatError extends Error {
  override readonly name = "ModelFormatError";
}

/** An execution provider was requested that this onnxruntime-node install cannot run. */
export class ProviderUnavailableError extends Error {
  override readonly name = "ProviderUnavailableError";
}

/**
 * A model or sampler produced NaN or infinite values (latents during
 * denoising, or pixels out of the VAE). The image is not written: a
 * non-finite picture would otherwise come out black or garbled.
 */
export class NonFiniteValuesError extends Error {
  override readonly name = "NonFiniteValuesError";
}
