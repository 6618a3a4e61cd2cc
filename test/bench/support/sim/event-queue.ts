import { BinaryHeap } from "./binary-heap.ts";

/**
 * Events in virtual time, ordered by time, then by insertion, so that a
 * simulation run is the same every time.
 */
export class EventQueue<T> {
  private readonly heap = new BinaryHeap<{ at: number; seq: number; event: T }>((x, y) => x.at < y.at || (x.at === y.at && x.seq < y.seq));
  private seq = 0;

  push(at: number, event: T): void {
    this.heap.push({ at, seq: this.seq++, event });
  }

  pop(): { at: number; event: T } | undefined {
    const top = this.heap.pop();
    return top && { at: top.at, event: top.event };
  }

  /** When the next event is due; undefined when none is queued. */
  peekAt(): number | undefined {
    return this.heap.peek()?.at;
  }

  get size(): number {
    return this.heap.size;
  }
}
