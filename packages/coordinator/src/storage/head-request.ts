import http from "node:http";
import https from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import type { ObjectHead } from "./object-store.ts";

export interface HeadRequesterOptions {
  /** Per attempt: a stalled request is abandoned and retried after this. */
  requestTimeoutMs: number;
  /** Attempts in all, as the SDK's standard retry mode: 5xx, 429 and network errors are retried. */
  attempts: number;
  /** First retry's ceiling; it doubles per attempt (full jitter), up to 20 s. */
  baseDelayMs?: number;
}

export interface HeadRequester {
  /** HEAD of a presigned URL (signed anew per attempt by `sign`): null on 404. */
  head(sign: () => Promise<string>, describe: string): Promise<ObjectHead | null>;
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

  const once = (url: URL) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
      const transport = url.protocol === "https:" ? https : http;
      const request = transport.request(url, { method: "HEAD", agent: agents[url.protocol as keyof typeof agents], timeout: options.requestTimeoutMs }, (response) => {
        response.resume();
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
        response.on("error", reject);
      });
      request.on("timeout", () => request.destroy(new Error(`no answer within ${options.requestTimeoutMs} ms`)));
      request.on("error", reject);
      request.end();
    });

  return {
    async head(sign, describe) {
      for (let attempt = 1; ; attempt++) {
        let status = 0;
        let failure: string;
        try {
          const answer = await once(new URL(await sign()));
          status = answer.status;
          if (status === 404) return null;
          if (status >= 200 && status < 300) {
            const { "content-type": contentType, etag } = answer.headers;
            return {
              bytes: Number(answer.headers["content-length"] ?? 0),
              ...(contentType === undefined ? {} : { contentType }),
              ...(etag === undefined ? {} : { etag: etag.replace(/"/g, "") }),
            };
          }
          failure = `answered ${status}`;
        } catch (error) {
          failure = (error as Error).message;
        }
        // Denied, redirected or malformed: asking again changes nothing.
        if (status > 0 && status < 500 && status !== 429) throw new Error(`HEAD ${describe} ${failure}`);
        if (attempt >= options.attempts) throw new Error(`HEAD ${describe} failed ${attempt} times; last: ${failure}`);
        await sleep(Math.random() * Math.min(20_000, baseDelayMs * 2 ** (attempt - 1)));
      }
    },
    close() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  };
}
