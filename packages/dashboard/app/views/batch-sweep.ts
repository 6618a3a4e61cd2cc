import type { SweepAxisInfo, SweepResponse } from "../api-types.ts";
import { api } from "../lib/api.ts";
import { h, replace, setText } from "../lib/dom.ts";

// A1111's names for the settings an axis varies, as the grid's labels spell them.
const SETTING_NAMES: Record<string, string> = {
  seed: "Seed", steps: "Steps", guidance: "CFG Scale", sampler: "Sampler", model: "Model", width: "Width", height: "Height", size: "Size", prompt_sr: "Prompt S/R",
};

/**
 * For a batch from a plan with X/Y(/Z) axes: its labelled grid (the one
 * `atelier grid` writes), one Z page at a time. Quarantined images are grey
 * tiles marked "withheld". Hidden for a batch without X or Y axes.
 */
export function batchSweepPanel(batchId: string): { element: HTMLElement; update(batch: { state: string; done: number }): void } {
  const path = `/api/batches/${encodeURIComponent(batchId)}`;
  let axes: SweepAxisInfo[] | undefined;
  let shown = "";
  let asked = false;
  const image = h("img", { class: "sweep-grid", alt: "", "data-grid": "" });
  image.style.maxWidth = "100%";
  image.style.height = "auto";
  image.style.background = "#fff";
  const open = h("a", { class: "button", target: "_blank", rel: "noopener", "data-action": "open-grid" }, "Open full size");
  const zSelect = h("select", { id: `sweep-z-${batchId}`, name: "z", onchange: () => showPage() });
  const zField = h("div", { class: "form-field", hidden: true }, h("label", { for: zSelect.id, class: "muted small" }, "Z page"), zSelect);
  const caption = h("span", { class: "muted small" });
  const element = h("section", { class: "panel sweep-panel", hidden: true, "aria-label": "Sweep grid" },
    h("header", { class: "section-head" }, h("h2", null, "Sweep grid"), caption),
    h("div", { class: "actions" }, zField, open),
    image);
  let version = 0;

  const label = (axis: SweepAxisInfo) => `${axis.name.toUpperCase()}: ${SETTING_NAMES[axis.setting] ?? axis.setting}`;
  const showPage = () => {
    // The done count is in the address, so that a grid drawn mid-batch is not taken from the cache once more images are in.
    const src = `${path}/grid?z=${zSelect.value || "0"}&v=${version}`;
    if (src === shown) return;
    shown = src;
    image.src = src;
    open.setAttribute("href", src);
    const z = axes?.find((a) => a.name === "z");
    image.alt = `Grid of the sweep: ${axes!.filter((a) => a.name !== "z").map(label).join(" by ")}${z ? `, ${label(z)} = ${z.values[Number(zSelect.value)]}` : ""}`;
  };

  return {
    element,
    update(batch) {
      version = batch.done;
      if (!asked) {
        asked = true;
        api<SweepResponse>(`${path}/sweep`).then((sweep) => {
          axes = sweep.axes;
          const z = axes.find((a) => a.name === "z");
          replace(zSelect, ...(z?.values ?? []).map((value, n) => h("option", { value: n }, value)));
          zField.hidden = !z;
          const drawn = axes.filter((a) => a.name === "x" || a.name === "y");
          setText(caption, drawn.map((axis) => `${label(axis)} (${axis.values.length})`).join(" × "));
          element.hidden = drawn.length === 0 || batch.done === 0;
          if (!element.hidden) showPage();
        }, () => {
          // The page works without the grid; a later update asks again.
          asked = false;
        });
        return;
      }
      if (!axes || !axes.some((a) => a.name === "x" || a.name === "y") || batch.done === 0) return;
      element.hidden = false;
      showPage();
    },
  };
}
