import http from "node:http";
import https from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { backoffDelayMs } from "@atelier/common";
import type { ObjectHead } from "./object-store.ts";

// A wait between tries never grows past this.
const MAX_RETRY_DELAY_MS = 20_000;

export interface HeadRequesterOptions {
  /** Per attempt: a stalled request is abandoned and retried after this. */
  requestTimeoutMs: number;
  /** Attempts in all, as the SDK's standard retry mode: 5xx, 429 and network errors are retried. */
  attempts: number;
  /** First retry's ceiling; it doubles per attempt (full jitter), up to 20 s. */
  baseDelayMs?: number;
}

export interface HeadRequester {
  /**
   * HEAD of a presigned URL (signed anew per attempt by `sign`): null on 404.
   * With `firstBytes`, `sign` presigns a GET instead, asked for that many
   * bytes with a Range header: the size comes from Content-Range.
   */
  head(sign: () => Promise<string>, describe: string, firstBytes?: number): Promise<ObjectHead | null>;
  close(): void;
}

/**
 * HEAD requests on presigned URLs over keep-alive sockets. Verifying every
 * upload is one HEAD per image; through the SDK's middleware stack each cost
 * the coordinator about 0.3 ms of CPU, here a tenth of that.
 */
export function createHeadRequester(options: HeadRequesterOptions): HeadRequester {
  const agents = {
    "http:": new http.Agent({ keepAlive: true, maxSockets: 64 }),
    "https:": new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };
  const baseDelayMs = options.baseDelayMs ?? 100;

  const once = (url: URL, firstBytes: number | undefined) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Uint8Array }>((resolve, reject) => {
      const transport = url.protocol === "https:" ? https : http;
      const ranged = firstBytes !== undefined;
      const request = transport.request(url, {
        method: ranged ? "GET" : "HEAD",
        headers: ranged ? { range: `bytes=0-${firstBytes - 1}` } : {},
        agent: agents[url.protocol as keyof typeof agents],
        timeout: options.requestTimeoutMs,
      }, (response) => {
        // Never more than was asked for, whatever the server sends.
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on("data", (chunk: Buffer) => {
          if (kept >= (firstBytes ?? 0)) return;
          chunks.push(chunk.subarray(0, (firstBytes ?? 0) - kept));
          kept += chunks[chunks.length - 1]!.length;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on("error", reject);
      });
      request.on("timeout", () => request.destroy(new Error(`no answer within ${options.requestTimeoutMs} ms`)));
      request.on("error", reject);
      request.end();
    });

  return {
    async head(sign, describe, firstBytes) {
      for (let attempt = 1; ; attempt++) {
        let status = 0;
        let failure: string;
        try {
          const answer = await once(new URL(await sign()), firstBytes);
          status = answer.status;
          if (status === 404) return null;
          // 416: an empty object has no first byte to send.
          if ((status >= 200 && status < 300) || status === 416) {
            const { "content-type": contentType, etag } = answer.headers;
            return {
              bytes: objectSize(answer.status, answer.headers),
              ...(contentType === undefined ? {} : { contentType }),
              ...(etag === undefined ? {} : { etag: etag.replace(/"/g, "") }),
              ...(firstBytes === undefined ? {} : { firstBytes: answer.body }),
            };
          }
          failure = `answered ${status}`;
        } catch (error) {
          failure = (error as Error).message;
        }
        // Denied, redirected or malformed: asking again changes nothing.
        if (status > 0 && status < 500 && status !== 429) throw new Error(`HEAD ${describe} ${failure}`);
        if (attempt >= options.attempts) throw new Error(`HEAD ${describe} failed ${attempt} times; last: ${failure}`);
        await sleep(backoffDelayMs(attempt - 1, { baseMs: baseDelayMs, maxMs: MAX_RETRY_DELAY_MS }));
      }
    },
    close() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  };
}

/** The whole object's size: Content-Range's total for a ranged answer, Content-Length otherwise. */
function objectSize(status: number, headers: http.IncomingHttpHeaders): number {
  const total = /\/(\d+)$/.exec(headers["content-range"] ?? "")?.[1];
  if (total !== undefined) return Number(total);
  return status === 416 ? 0 : Number(headers["content-length"] ?? 0);
}
