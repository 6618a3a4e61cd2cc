import { h, s, setText } from "../lib/dom.ts";
import { clock } from "../lib/format.ts";

export interface ChartPoint {
  atMs: number;
  value: number;
}

export interface LineChartOptions {
  title: string;
  /** Formats values for the axis, the headline and the hover label. */
  format: (value: number) => string;
  /** CSS colour, e.g. var(--series-1). */
  color: string;
  /** The x axis spans at most this much time, ending now; less while the history is younger (at least five minutes). */
  windowMs: number;
  /** Fixed top of the y axis (1 for ratios); otherwise it follows the data. */
  maxY?: number;
}

const HEIGHT = 150;
const MIN_WINDOW_MS = 5 * 60_000;
const PAD = { top: 10, right: 12, bottom: 22, left: 44 };

/** The next "nice" number (1, 2, 2.5, 5 x 10^n) at or above `value`. */
function niceCeil(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 2.5, 5, 10].find((step) => step * power >= value) ?? 10) * power;
}

/**
 * A time-series chart drawn as SVG at the element's pixel size, so text
 * stays crisp: area and line, three horizontal grid lines, time ticks every
 * quarter of the window, and a crosshair with the value under the pointer.
 */
export class LineChart {
  readonly element: HTMLElement;
  private readonly svg: SVGSVGElement;
  private readonly headline: HTMLElement;
  private readonly hover: HTMLElement;
  private points: ChartPoint[] = [];
  private width = 0;
  private readonly resize: ResizeObserver;

  constructor(private readonly options: LineChartOptions) {
    this.headline = h("span", { class: "chart-value" }, "—");
    this.hover = h("span", { class: "chart-hover" });
    this.svg = s("svg", { class: "chart-svg", height: HEIGHT, role: "img", "aria-label": options.title });
    this.element = h(
      "figure",
      { class: "chart panel" },
      h("figcaption", { class: "chart-head" }, h("span", { class: "chart-title" }, options.title), this.hover, this.headline),
      this.svg,
    );
    this.svg.addEventListener("pointermove", (event) => this.showHover(event));
    this.svg.addEventListener("pointerleave", () => this.render());
    this.resize = new ResizeObserver(() => {
      const width = Math.floor(this.svg.getBoundingClientRect().width);
      if (width !== this.width) {
        this.width = width;
        this.render();
      }
    });
    this.resize.observe(this.svg);
  }

  setData(points: ChartPoint[]): void {
    this.points = points;
    const last = points.at(-1);
    setText(this.headline, last ? this.options.format(last.value) : "—");
    this.render();
  }

  dispose(): void {
    this.resize.disconnect();
  }

  private scales() {
    const now = Date.now();
    const oldest = this.points[0]?.atMs ?? now;
    const windowMs = Math.min(this.options.windowMs, Math.max(MIN_WINDOW_MS, now - oldest));
    const start = now - windowMs;
    const top = this.options.maxY ?? niceCeil(Math.max(0, ...this.points.map((p) => p.value)) * 1.1);
    const plotW = Math.max(1, this.width - PAD.left - PAD.right);
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    return {
      start,
      top,
      windowMs,
      x: (atMs: number) => PAD.left + ((atMs - start) / windowMs) * plotW,
      y: (value: number) => PAD.top + plotH - (Math.min(value, top) / top) * plotH,
      atX: (px: number) => start + ((px - PAD.left) / plotW) * windowMs,
    };
  }

  private render(cursorAtMs?: number): void {
    if (this.width === 0) return;
    const { start, top, windowMs, x, y } = this.scales();
    this.svg.setAttribute("viewBox", `0 0 ${this.width} ${HEIGHT}`);
    const grid = [0, 0.5, 1].map((f) =>
      s("g", null,
        s("line", { class: "chart-grid", x1: PAD.left, x2: this.width - PAD.right, y1: y(top * f), y2: y(top * f) }),
        s("text", { class: "chart-axis", x: PAD.left - 6, y: y(top * f) + 4, "text-anchor": "end" }, this.options.format(top * f))),
    );
    const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
      const atMs = start + f * windowMs;
      const anchor = f === 0 ? "start" : f === 1 ? "end" : "middle";
      return s("text", { class: "chart-axis", x: x(atMs), y: HEIGHT - 6, "text-anchor": anchor }, f === 1 ? "now" : clock(atMs));
    });
    const visible = this.points.filter((p) => p.atMs >= start - 60_000);
    const children: SVGElement[] = [...grid, ...ticks];
    if (visible.length > 0) {
      const line = visible.map((p, n) => `${n === 0 ? "M" : "L"}${x(Math.max(p.atMs, start)).toFixed(1)},${y(p.value).toFixed(1)}`).join("");
      const area = `${line}L${x(visible.at(-1)!.atMs).toFixed(1)},${y(0)}L${x(Math.max(visible[0]!.atMs, start)).toFixed(1)},${y(0)}Z`;
      const areaPath = s("path", { class: "chart-area", d: area });
      const linePath = s("path", { class: "chart-line", d: line });
      areaPath.style.fill = this.options.color;
      linePath.style.stroke = this.options.color;
      children.push(areaPath, linePath);
      const last = visible.at(-1)!;
      const dot = s("circle", { class: "chart-dot", cx: x(last.atMs), cy: y(last.value), r: 3 });
      dot.style.fill = this.options.color;
      children.push(dot);
    }
    if (cursorAtMs !== undefined && visible.length > 0) {
      const nearest = visible.reduce((best, p) => (Math.abs(p.atMs - cursorAtMs) < Math.abs(best.atMs - cursorAtMs) ? p : best));
      children.push(s("line", { class: "chart-cursor", x1: x(nearest.atMs), x2: x(nearest.atMs), y1: PAD.top, y2: y(0) }));
      setText(this.hover, `${clock(nearest.atMs)}  ${this.options.format(nearest.value)}`);
    } else {
      setText(this.hover, "");
    }
    this.svg.replaceChildren(...children);
  }

  private showHover(event: PointerEvent): void {
    const bounds = this.svg.getBoundingClientRect();
    this.render(this.scales().atX(event.clientX - bounds.left));
  }
}
