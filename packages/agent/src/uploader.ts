import { request } from "undici";
import { retryWithBackoff } from "@atelier/common";

// A wait between upload tries never grows past this, however many attempts are allowed.
const MAX_RETRY_DELAY_MS = 10_000;

/**
 * PUTs an image to its presigned URL, retrying network errors, 5xx and 409
 * (a concurrent write of the key) with the house's full-jitter backoff.
 * Uploads only create: the URL is signed for `If-None-Match: *`, so an
 * object already at the key (an earlier attempt whose answer was lost, or
 * another render of the same item: same seed, same bytes) stands, and the
 * store answers 412, which is success here. Any other 4xx is final for this
 * URL (it is wrong or expired, and trying it again changes nothing), not for
 * the item: the item is reported as a retryable failure, and its next lease
 * comes with a fresh URL.
 *
 * Sent with undici's `request`, not `fetch` (undici too, under WHATWG
 * Request, Response and AbortSignal objects): with fetch the upload was 30%
 * of an agent's CPU in the dispatch bench, and the agents' CPU per image
 * fell by half without it (test/bench/README.md, "Agent uploads through
 * undici's request").
 */
export async function uploadPng(url: string, body: Uint8Array, options: { attempts: number; baseDelayMs: number; signal?: AbortSignal }): Promise<void> {
  const { signal } = options;
  try {
    await retryWithBackoff(
      async () => {
        let status: number;
        try {
          const response = await request(url, { method: "PUT", body, headers: { "content-type": "image/png", "if-none-match": "*" }, signal });
          status = response.statusCode;
          await response.body.dump();
        } catch (error) {
          if (signal?.aborted) throw error;
          throw new UploadError(`upload failed: ${(error as Error).message}`, true);
        }
        if ((status >= 200 && status < 300) || status === 412) return;
        throw new UploadError(`upload refused with HTTP ${status}`, status >= 500 || status === 409);
      },
      {
        attempts: options.attempts,
        backoff: { baseMs: options.baseDelayMs, maxMs: MAX_RETRY_DELAY_MS },
        retryable: (error) => error instanceof UploadError && error.retryInPlace && !signal?.aborted,
        signal,
      },
    );
  } catch (error) {
    // A failure worth retrying here gets out only once the attempts are spent.
    if (error instanceof UploadError && error.retryInPlace) throw new UploadError(`${error.message} (after ${options.attempts} attempts)`, true);
    throw error;
  }
}

/** An upload that did not land. Always retryable for the item (a new lease signs a new URL); `retryInPlace`: worth trying the same URL again. */
export class UploadError extends Error {
  override name = "UploadError";
  readonly retryable = true;
  constructor(message: string, readonly retryInPlace: boolean) {
    super(message);
  }
}
