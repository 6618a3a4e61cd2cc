import { h } from "../lib/dom.ts";

export interface VirtualGridOptions {
  tileWidthPx: number;
  /** Height of a tile including its caption. */
  tileHeightPx: number;
  gapPx: number;
  overscanRows: number;
  renderTile: (index: number) => HTMLElement;
  /** What a tile shows; a tile whose key is unchanged keeps its element (and its loaded image). */
  tileKey: (index: number) => string;
  /** The tiles in view changed: fetch what they need. */
  onRange: (first: number, last: number) => void;
}

/**
 * A grid of `count` tiles of which only the rows in view exist in the DOM,
 * so a gallery of a million images scrolls like one of a hundred; the
 * scrollbar spans all of them, and any position can be reached at once.
 */
export class VirtualGrid {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private count = 0;
  private columns = 1;
  private readonly resize: ResizeObserver;
  private frame = 0;
  private readonly tiles = new Map<number, { key: string; element: HTMLElement }>();

  constructor(private readonly options: VirtualGridOptions) {
    this.spacer = h("div", { class: "virtual-spacer" });
    this.element = h("div", { class: "virtual-scroll gallery-scroll" }, this.spacer);
    this.element.addEventListener("scroll", () => this.schedule(), { passive: true });
    this.resize = new ResizeObserver(() => this.schedule());
    this.resize.observe(this.element);
  }

  setCount(count: number): void {
    this.count = count;
    this.render();
  }

  dispose(): void {
    this.resize.disconnect();
    cancelAnimationFrame(this.frame);
  }

  private schedule(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.render());
  }

  private render(): void {
    const { tileWidthPx, tileHeightPx, gapPx, overscanRows } = this.options;
    const width = this.element.clientWidth;
    if (width === 0) return;
    this.columns = Math.max(1, Math.floor((width - gapPx) / (tileWidthPx + gapPx)));
    const rowPitch = tileHeightPx + gapPx;
    const rows = Math.ceil(this.count / this.columns);
    this.spacer.style.height = `${rows * rowPitch + gapPx}px`;
    const firstRow = Math.max(0, Math.floor(this.element.scrollTop / rowPitch) - overscanRows);
    const lastRow = Math.min(rows, Math.ceil((this.element.scrollTop + this.element.clientHeight) / rowPitch) + overscanRows);
    const first = firstRow * this.columns;
    const last = Math.min(this.count, lastRow * this.columns);
    // Centre the columns in the width available.
    const left = Math.max(gapPx, (width - this.columns * (tileWidthPx + gapPx) + gapPx) / 2);
    const tiles: HTMLElement[] = [];
    for (const index of this.tiles.keys()) if (index < first || index >= last) this.tiles.delete(index);
    for (let index = first; index < last; index++) {
      const key = this.options.tileKey(index);
      let cached = this.tiles.get(index);
      if (cached?.key !== key) {
        cached = { key, element: this.options.renderTile(index) };
        this.tiles.set(index, cached);
      }
      const tile = cached.element;
      const row = Math.floor(index / this.columns);
      const column = index % this.columns;
      tile.style.transform = `translate(${left + column * (tileWidthPx + gapPx)}px, ${gapPx + row * rowPitch}px)`;
      tile.style.width = `${tileWidthPx}px`;
      tile.style.height = `${tileHeightPx}px`;
      tiles.push(tile);
    }
    // Only add and remove what changed: reordering live <img> elements would restart their loads.
    const wanted = new Set(tiles);
    for (const child of [...this.spacer.children]) if (!wanted.has(child as HTMLElement)) child.remove();
    for (const tile of tiles) if (tile.parentElement !== this.spacer) this.spacer.appendChild(tile);
    this.options.onRange(first, last);
  }
}
