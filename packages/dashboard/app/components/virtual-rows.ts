import { h } from "../lib/dom.ts";

export interface VirtualRowsOptions<T> {
  rowHeightPx: number;
  /** Rows rendered beyond the visible ones, above and below. */
  overscan: number;
  renderRow: (row: T, index: number) => HTMLElement;
  /** Identity of a row, so unchanged rows keep their elements. */
  key: (row: T) => string;
  className: string;
}

/**
 * A scrolling list that renders only the rows in view: 500 agents cost the
 * same as 20. Rows are absolutely positioned in a spacer as tall as the list.
 */
export class VirtualRows<T> {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private rows: readonly T[] = [];
  private readonly resize: ResizeObserver;
  private frame = 0;

  constructor(private readonly options: VirtualRowsOptions<T>) {
    this.spacer = h("div", { class: "virtual-spacer" });
    this.element = h("div", { class: `virtual-scroll ${options.className}` }, this.spacer);
    this.element.addEventListener("scroll", () => this.schedule(), { passive: true });
    this.resize = new ResizeObserver(() => this.schedule());
    this.resize.observe(this.element);
  }

  setRows(rows: readonly T[]): void {
    this.rows = rows;
    this.spacer.style.height = `${rows.length * this.options.rowHeightPx}px`;
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
    const { rowHeightPx, overscan } = this.options;
    const first = Math.max(0, Math.floor(this.element.scrollTop / rowHeightPx) - overscan);
    const last = Math.min(this.rows.length, Math.ceil((this.element.scrollTop + this.element.clientHeight) / rowHeightPx) + overscan);
    const elements: HTMLElement[] = [];
    for (let index = first; index < last; index++) {
      const row = this.options.renderRow(this.rows[index]!, index);
      row.style.transform = `translateY(${index * rowHeightPx}px)`;
      row.style.height = `${rowHeightPx}px`;
      row.dataset.key = this.options.key(this.rows[index]!);
      elements.push(row);
    }
    this.spacer.replaceChildren(...elements);
  }
}
