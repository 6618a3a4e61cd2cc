import { h } from "../lib/dom.ts";
import { count, percent } from "../lib/format.ts";

export interface Progress {
  total: number;
  done: number;
  failed: number;
  cancelled: number;
}

/** Done, failed and cancelled as segments of one bar; the rest is still to render. */
export class ProgressBar {
  readonly element: HTMLElement;
  private readonly segments: Record<"done" | "failed" | "cancelled", HTMLElement>;

  constructor(size: "small" | "large" = "small") {
    this.segments = {
      done: h("span", { class: "bar-done" }),
      failed: h("span", { class: "bar-failed" }),
      cancelled: h("span", { class: "bar-cancelled" }),
    };
    this.element = h("div", { class: `bar bar-${size}`, role: "progressbar", "aria-label": "progress", "aria-valuemin": 0, "aria-valuemax": 100 },
      this.segments.done, this.segments.failed, this.segments.cancelled);
  }

  set(progress: Progress): void {
    const total = Math.max(1, progress.total);
    for (const key of ["done", "failed", "cancelled"] as const) this.segments[key].style.width = `${(progress[key] / total) * 100}%`;
    const settled = (progress.done + progress.failed + progress.cancelled) / total;
    this.element.setAttribute("aria-valuenow", String(Math.round(settled * 100)));
    this.element.title = `${count(progress.done)} done, ${count(progress.failed)} failed, ${count(progress.cancelled)} cancelled of ${count(progress.total)} (${percent(settled)})`;
    this.element.setAttribute("aria-label", this.element.title);
  }
}
