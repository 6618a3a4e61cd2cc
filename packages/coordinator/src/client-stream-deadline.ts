import { IdleStreamError } from "./errors.ts";

/**
 * A client stream's messages, as an async iterable that fails with
 * IdleStreamError when the client sends nothing for `idleMs`: a half-open
 * stream must not hold a submission (and the rows it began) forever.
 */
export function withIdleDeadline<T>(
  stream: AsyncIterable<T> & { readonly cancelled?: boolean },
  idleMs: number,
): AsyncIterable<T> & { readonly cancelled?: boolean } {
  return {
    get cancelled() {
      return stream.cancelled;
    },
    [Symbol.asyncIterator]() {
      const source = stream[Symbol.asyncIterator]();
      return {
        async next() {
          let timer: NodeJS.Timeout | undefined;
          const quiet = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new IdleStreamError(`the stream sent nothing for ${idleMs} ms and was closed`)), idleMs);
          });
          const next = source.next();
          // Once the deadline wins, the pending read settles later, unobserved.
          next.catch(() => {});
          try {
            return await Promise.race([next, quiet]);
          } finally {
            clearTimeout(timer);
          }
        },
        async return(value?: unknown) {
          await source.return?.(value);
          return { done: true as const, value: undefined };
        },
      };
    },
  };
}
