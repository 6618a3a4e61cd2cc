import type { ItemResult } from "@atelier/protocol";

/**
 * Results sent but not yet acknowledged. They survive a broken stream and are
 * sent again, in order, after a reconnect; the coordinator's epoch fence and
 * the unique output row make a repeat harmless.
 */
export class ResultOutbox {
  private readonly waiting = new Map<string, ItemResult>();

  private static keyOf(itemId: string, epoch: number): string {
    return `${itemId}/${epoch}`;
  }

  add(result: ItemResult): void {
    this.waiting.set(ResultOutbox.keyOf(result.itemId!, Number(result.epoch)), result);
  }

  /** Removes the acknowledged result; returns its shard id when it was waiting. */
  acknowledge(itemId: string, epoch: number): string | undefined {
    const key = ResultOutbox.keyOf(itemId, epoch);
    const result = this.waiting.get(key);
    this.waiting.delete(key);
    return result?.shardId;
  }

  pendingFor(shardId: string): number {
    let count = 0;
    for (const result of this.waiting.values()) if (result.shardId === shardId) count++;
    return count;
  }

  all(): ItemResult[] {
    return [...this.waiting.values()];
  }

  get size(): number {
    return this.waiting.size;
  }
}
