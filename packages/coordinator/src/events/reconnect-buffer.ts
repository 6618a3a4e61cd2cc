export interface PendingPublish {
  subject: string;
  payload: Uint8Array;
}

export interface ReconnectBuffer {
  readonly size: number;
  push(publish: PendingPublish): void;
  /** Hands over every buffered publish, oldest first, and empties the buffer. */
  drain(send: (publish: PendingPublish) => void): void;
}

/**
 * Holds publishes made while NATS is unreachable, up to `maxBytes` of
 * payload; past that the oldest go first, since for progress and load
 * notifications the newest matter most.
 */
export function createReconnectBuffer(maxBytes: number, onDrop: (dropped: PendingPublish) => void): ReconnectBuffer {
  const queue: PendingPublish[] = [];
  let bytes = 0;
  return {
    get size() {
      return queue.length;
    },
    push(publish) {
      queue.push(publish);
      bytes += publish.payload.byteLength;
      while (bytes > maxBytes) {
        const dropped = queue.shift();
        if (dropped === undefined) break;
        bytes -= dropped.payload.byteLength;
        onDrop(dropped);
      }
    },
    drain(send) {
      const all = queue.splice(0);
      bytes = 0;
      for (const publish of all) send(publish);
    },
  };
}
