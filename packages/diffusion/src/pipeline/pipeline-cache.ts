import type { Pipeline } from "./pipeline.ts";

// Loading a model costs seconds, so agents keep pipelines warm; memory caps
// how many. This is a small LRU over loaded pipelines keyed by model name,
// sized by each pipeline's resident bytes (its ONNX files). Pipelines in use
// are never evicted: the budget can be exceeded while they are, and is
// restored as leases are released.

export interface PipelineCacheOptions {
  /** total resident bytes of idle pipelines kept loaded */
  memoryBudgetBytes: number;
  /** loads a model by name, e.g. (name) => Pipeline.load(dirs[name], options) */
  load: (model: string) => Promise<Pipeline>;
}

/** A pipeline held for use; release() exactly once when done (further calls are ignored). */
export interface PipelineLease {
  pipeline: Pipeline;
  release(): void;
}

interface Entry {
  loading: Promise<Pipeline>;
  pipeline: Pipeline | undefined;
  users: number;
  lastUsed: number;
}

export class PipelineCache {
  private readonly entries = new Map<string, Entry>();
  private clock = 0;
  private closing: Promise<void> | undefined;
  // Evictions started by release(), awaited by close().
  private readonly evictions = new Set<Promise<void>>();

  constructor(private readonly options: PipelineCacheOptions) {
    if (!(options.memoryBudgetBytes >= 0)) throw new RangeError(`memoryBudgetBytes must be a non-negative number (got ${options.memoryBudgetBytes})`);
  }

  /** Models loaded (or loading) now, least recently used first. */
  get models(): string[] {
    return [...this.entries.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed).map(([model]) => model);
  }

  /** Resident bytes of the loaded pipelines. */
  get residentBytes(): number {
    let total = 0;
    for (const entry of this.entries.values()) total += entry.pipeline?.residentBytes ?? 0;
    return total;
  }

  async acquire(model: string): Promise<PipelineLease> {
    if (this.closing) throw new Error("pipeline cache is closed");
    let entry = this.entries.get(model);
    if (!entry) {
      const loading = this.options.load(model);
      const created: Entry = { loading, pipeline: undefined, users: 0, lastUsed: 0 };
      entry = created;
      this.entries.set(model, created);
      loading.then(
        (pipeline) => (created.pipeline = pipeline),
        () => this.entries.delete(model),
      );
    }
    entry.users++;
    entry.lastUsed = ++this.clock;
    let pipeline: Pipeline;
    try {
      pipeline = await entry.loading;
    } catch (error) {
      entry.users--;
      throw error;
    }
    const held = entry;
    let released = false;
    await this.evictOverBudget();
    return {
      pipeline,
      release: () => {
        if (released) return;
        released = true;
        held.users--;
        held.lastUsed = ++this.clock;
        const eviction = this.evictOverBudget();
        this.evictions.add(eviction);
        eviction.then(
          () => this.evictions.delete(eviction),
          () => this.evictions.delete(eviction),
        );
      },
    };
  }

  /** Closes every pipeline (waiting for their renders to stop). Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const loads = [...this.entries.values()].map((entry) => entry.loading.then((pipeline) => pipeline.close(), () => undefined));
      this.entries.clear();
      await Promise.allSettled([...this.evictions]);
      await Promise.all(loads);
    })();
    return this.closing;
  }

  private async evictOverBudget(): Promise<void> {
    const closing: Promise<void>[] = [];
    while (this.residentBytes > this.options.memoryBudgetBytes) {
      const idle = [...this.entries.entries()].filter(([, entry]) => entry.users === 0 && entry.pipeline).sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
      if (!idle) break;
      this.entries.delete(idle[0]);
      closing.push(idle[1].pipeline!.close());
    }
    await Promise.all(closing);
  }
}
