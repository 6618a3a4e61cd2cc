import type { ItemDetailResponse } from "../api-types.ts";
import { api } from "../lib/api.ts";
import { h, replace } from "../lib/dom.ts";
import { bytes, count, dateTime } from "../lib/format.ts";
import { link } from "../lib/router.ts";
import { badge } from "./badge.ts";

/**
 * One image at full size with everything that made it: the prompt and
 * settings from the database, and the A1111 parameters text read from the
 * PNG itself. Arrow keys walk through the gallery.
 */
export class Lightbox {
  private readonly dialog: HTMLDialogElement;
  private readonly body: HTMLElement;
  private current = -1;

  constructor(private readonly itemAt: (position: number) => { itemId: string } | undefined) {
    this.body = h("div", { class: "lightbox-body" });
    this.dialog = h("dialog", { class: "dialog lightbox", "aria-label": "Image details" },
      h("button", { class: "icon-button lightbox-close", type: "button", "aria-label": "Close", onclick: () => this.dialog.close() }, "✕"),
      this.body);
    this.dialog.addEventListener("click", (event) => {
      if (event.target === this.dialog) this.dialog.close();
    });
    this.dialog.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight") void this.open(this.current + 1);
      if (event.key === "ArrowLeft") void this.open(this.current - 1);
    });
    document.body.append(this.dialog);
  }

  async open(position: number): Promise<void> {
    const tile = this.itemAt(position);
    if (!tile) return;
    this.current = position;
    if (!this.dialog.open) this.dialog.showModal();
    replace(this.body, h("p", { class: "muted" }, "Loading…"));
    try {
      const detail = await api<ItemDetailResponse>(`/api/items/${tile.itemId}`);
      if (this.current === position) replace(this.body, ...this.render(detail));
    } catch (error) {
      replace(this.body, h("p", { class: "error" }, (error as Error).message));
    }
  }

  dispose(): void {
    this.dialog.remove();
  }

  private render({ item, parameters }: ItemDetailResponse) {
    const field = (label: string, name: string, value: string | number) =>
      [h("dt", null, label), h("dd", { "data-field": name }, String(value))];
    return [
      h("div", { class: "lightbox-image" },
        item.output
          ? h("img", { src: `/api/items/${item.itemId}/image`, alt: item.prompt, width: item.width, height: item.height })
          : h("div", { class: "tile-placeholder large" }, badge(item.state), item.error ? h("p", { class: "error" }, item.error) : null)),
      h("aside", { class: "lightbox-info" },
        h("header", null,
          h("h2", null, `#${count(item.index)}`),
          badge(item.state),
          h("a", { href: link.batch(item.batchId), class: "muted small" }, "batch")),
        h("p", { class: "prompt", "data-field": "prompt" }, item.prompt),
        item.negativePrompt ? h("p", { class: "negative" }, h("span", { class: "muted" }, "Negative: "), item.negativePrompt) : null,
        h("dl", { class: "fields" },
          field("Seed", "seed", item.seed),
          field("Size", "size", `${item.width}×${item.height}`),
          field("Steps", "steps", item.steps),
          field("Sampler", "sampler", item.sampler),
          field("CFG scale", "guidance", item.guidance),
          field("Model", "model", item.model),
          field("Attempts", "attempts", item.attempts),
          item.output ? field("Agent", "agent", item.output.agentId) : null,
          item.output ? field("Render", "render", `${count(item.output.renderMs)} ms`) : null,
          item.output ? field("Recorded", "recorded", dateTime(item.output.createdAtMs)) : null,
          item.output ? field("File", "bytes", bytes(item.output.bytes)) : null,
          item.output ? field("SHA-256", "sha256", item.output.sha256) : null,
          item.output ? field("Object", "key", item.output.key) : null),
        item.error ? h("p", { class: "error" }, item.error) : null,
        parameters !== null
          ? h("details", { class: "png-parameters", open: true },
              h("summary", null, "PNG parameters"),
              h("pre", { "data-field": "parameters" }, parameters))
          : null),
    ];
  }
}
