import type { ItemResult } from "@atelier/protocol";

/**
 * Results not yet acknowledged. They survive a broken stream and are sent
 * again, in order, after a reconnect; the coordinator's epoch fence and the
 * unique output row make a repeat harmless.
 *
 * Sending is windowed like TCP's Nagle: a result goes out at once while
 * fewer than `window` messages of results await their acks, and otherwise
 * waits for the next ack, so results batch up exactly when the coordinator
 * is the slower side and cost no latency when it is not.
 */
export class ResultOutbox {
  private readonly waiting = new Map<string, ItemResult>();
  private readonly pendingPerShard = new Map<string, number>();
  private unsent: ItemResult[] = [];
  private messagesInFlight = 0;

  private static keyOf(itemId: string, epoch: number): string {
    return `${itemId}/${epoch}`;
  }

  add(result: ItemResult): void {
    const key = ResultOutbox.keyOf(result.itemId!, Number(result.epoch));
    if (!this.waiting.has(key)) this.pendingPerShard.set(result.shardId!, this.pendingFor(result.shardId!) + 1);
    this.waiting.set(key, result);
    this.unsent.push(result);
  }

  /**
   * The next message's worth of results (at most `maxResults`), or an empty
   * list while `window` messages already await acks. `window` Infinity
   * sends regardless, to keep results ahead of a message that must follow them.
   */
  takeMessage(options: { window: number; maxResults: number }): ItemResult[] {
    if (this.unsent.length === 0 || this.messagesInFlight >= options.window) return [];
    this.messagesInFlight++;
    return this.unsent.splice(0, options.maxResults);
  }

  /** One message of results was answered. */
  messageAcknowledged(): void {
    this.messagesInFlight = Math.max(0, this.messagesInFlight - 1);
  }

  /** Removes the acknowledged result; returns its shard id when it was waiting. */
  acknowledge(itemId: string, epoch: number): string | undefined {
    const key = ResultOutbox.keyOf(itemId, epoch);
    const result = this.waiting.get(key);
    if (!result) return undefined;
    this.waiting.delete(key);
    const left = this.pendingFor(result.shardId!) - 1;
    if (left > 0) this.pendingPerShard.set(result.shardId!, left);
    else this.pendingPerShard.delete(result.shardId!);
    return result.shardId!;
  }

  /** On a new stream nothing is in flight: every unacknowledged result is to be sent again, in order. */
  resendAll(): void {
    this.unsent = [...this.waiting.values()];
    this.messagesInFlight = 0;
  }

  pendingFor(shardId: string): number {
    return this.pendingPerShard.get(shardId) ?? 0;
  }

  get size(): number {
    return this.waiting.size;
  }
}
