import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";

/** A refusal with its HTTP status; the message is shown to the user as is. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

// Below this, compressing costs more than it saves.
const GZIP_MIN_BYTES = 8 * 1024;

/** JSON that is never cached; gzipped when large and the client accepts it (500 agents is ~200 KB). */
export function sendJson(request: IncomingMessage, response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = Buffer.from(JSON.stringify(body));
  const gzip = text.length >= GZIP_MIN_BYTES && /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""));
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    vary: "accept-encoding, cookie",
    ...(gzip ? { "content-encoding": "gzip" } : {}),
    ...headers,
  });
  response.end(gzip ? gzipSync(text) : text);
}

/** Reads a small JSON body; anything else is refused before it is buffered. */
export async function readJson(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = String(request.headers["content-type"] ?? "");
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, "send the body as application/json");
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > maxBytes) throw new HttpError(413, `the body may be at most ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `the body may be at most ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "the body is not valid JSON");
  }
}
