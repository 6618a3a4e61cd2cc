/** A binary heap: `pop` takes out the element that `before` puts ahead of all others. */
export class BinaryHeap<T> {
  private readonly values: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.values.length;
  }

  peek(): T | undefined {
    return this.values[0];
  }

  push(value: T): void {
    const v = this.values;
    v.push(value);
    for (let i = v.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.before(v[i]!, v[parent]!)) break;
      [v[parent], v[i]] = [v[i]!, v[parent]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const v = this.values;
    const top = v[0];
    const last = v.pop();
    if (v.length > 0 && last !== undefined) {
      v[0] = last;
      for (let i = 0; ;) {
        const [left, right] = [2 * i + 1, 2 * i + 2];
        let first = i;
        if (left < v.length && this.before(v[left]!, v[first]!)) first = left;
        if (right < v.length && this.before(v[right]!, v[first]!)) first = right;
        if (first === i) break;
        [v[first], v[i]] = [v[i]!, v[first]!];
        i = first;
      }
    }
    return top;
  }
}
