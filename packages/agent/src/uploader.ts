import { setTimeout as sleep } from "node:timers/promises";

/**
 * PUTs an image to its presigned URL, retrying network errors, 5xx and 409
 * (a concurrent write of the key) with exponential backoff and full jitter.
 * Uploads only create: the URL is signed for `If-None-Match: *`, so an
 * object already at the key (an earlier attempt whose answer was lost, or
 * another render of the same item: same seed, same bytes) stands, and the
 * store answers 412, which is success here. Any other 4xx is final: the URL
 * is wrong or expired, and trying again will not change that.
 */
export async function uploadPng(url: string, body: Uint8Array, options: { attempts: number; baseDelayMs: number; signal?: AbortSignal }): Promise<void> {
  let lastError = "";
  for (let attempt = 0; attempt < options.attempts; attempt++) {
    if (attempt > 0) await sleep(Math.random() * options.baseDelayMs * 2 ** attempt, undefined, { signal: options.signal });
    try {
      const response = await fetch(url, {
        method: "PUT",
        body,
        headers: { "content-type": "image/png", "if-none-match": "*" },
        signal: options.signal,
      });
      await response.arrayBuffer();
      if (response.ok || response.status === 412) return;
      lastError = `upload refused with HTTP ${response.status}`;
      if (response.status < 500 && response.status !== 409) throw new UploadError(lastError, false);
    } catch (error) {
      if (error instanceof UploadError || options.signal?.aborted) throw error;
      lastError = `upload failed: ${(error as Error).message}`;
    }
  }
  throw new UploadError(`${lastError} (after ${options.attempts} attempts)`, true);
}

export class UploadError extends Error {
  override name = "UploadError";
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}
