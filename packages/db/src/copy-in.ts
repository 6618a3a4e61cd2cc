import { once } from "node:events";
import { finished } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

/**
 * One `COPY ... FROM STDIN` in progress on a connection of its own. Rows
 * written are neither visible nor durable until `end()` resolves: the COPY
 * is one statement, committed when it completes, and `abort()` rolls all of
 * it back. Writes wait while the connection's buffer is full, so a producer
 * faster than Postgres slows down instead of filling memory.
 */
export interface CopyIn {
  /** Rows in COPY text format, each ending in a newline. */
  write(rows: string): Promise<void>;
  /** Completes the COPY; resolves once Postgres has committed every row. */
  end(): Promise<void>;
  /** Rolls the COPY back (CopyFail) and discards the connection. Idempotent. */
  abort(reason: string): Promise<void>;
}

export async function startCopyIn(pool: pg.Pool, sql: string): Promise<CopyIn> {
  const client = await pool.connect();
  const stream = client.query(copyFrom(sql));
  let failure: Error | undefined;
  stream.on("error", (error: Error) => {
    failure ??= error;
  });
  let released = false;
  // A connection that saw an error or a CopyFail is not returned to the pool for reuse.
  const release = (discard: boolean) => {
    if (released) return;
    released = true;
    client.release(discard ? (failure ?? true) : undefined);
  };
  return {
    async write(rows) {
      if (failure) throw failure;
      if (!stream.write(rows)) {
        await Promise.race([once(stream, "drain"), once(stream, "error").then(() => Promise.reject(failure))]);
      }
    },
    async end() {
      if (failure) {
        release(true);
        throw failure;
      }
      try {
        stream.end();
        await finished(stream);
        release(false);
      } catch (error) {
        release(true);
        throw error;
      }
    },
    async abort(reason) {
      if (released) return;
      stream.destroy(new Error(reason));
      await finished(stream).catch(() => {});
      release(true);
    },
  };
}

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
export function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
}

const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
