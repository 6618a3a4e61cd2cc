import type { ExportJobInfo, ExportJobProgress, ExportRequest, ExportsResponse } from "../api-types.ts";
import { badge } from "../components/badge.ts";
import { toast } from "../components/confirm-dialog.ts";
import { ProgressBar } from "../components/progress-bar.ts";
import type { LiveUpdates } from "../lib/live.ts";
import { api } from "../lib/api.ts";
import { h, replace, setText } from "../lib/dom.ts";
import { bytes, count, dateTime } from "../lib/format.ts";

const FORMATS: ExportRequest["format"][] = ["both", "webdataset", "parquet"];

/**
 * Server-side dataset exports of a finished batch into the farm's bucket:
 * `atelier export`'s options, a start button, each export's live progress
 * (samples and shards written of the total) and, once complete, links to
 * its shards and _stats.json. An interrupted or failed export resumes after
 * its last whole shard.
 */
export function batchExportPanel(batchId: string, live: LiveUpdates): { element: HTMLElement; update(batch: { state: string }): void; dispose(): void } {
  const path = `/api/batches/${encodeURIComponent(batchId)}/exports`;
  const field = (name: string, label: string, control: HTMLInputElement | HTMLSelectElement) => {
    control.id = `export-${name}`;
    control.name = name;
    return h("div", { class: "form-field" }, h("label", { for: control.id, class: "muted small" }, label), control);
  };
  const format = h("select", null, ...FORMATS.map((name) => h("option", { value: name }, name === "both" ? "WebDataset and Parquet" : name === "webdataset" ? "WebDataset" : "Parquet")));
  const shardItems = h("input", { type: "number", min: 1, max: 100000, step: 1, value: 1000, required: true });
  const minClipScore = h("input", { type: "number", min: -1, max: 1, step: "any", placeholder: "any" });
  const includeRejected = h("input", { type: "checkbox", id: "export-include-rejected", name: "includeRejected" });
  const start = h("button", { class: "button primary", type: "submit", "data-action": "export" }, "Start export");
  const note = h("p", { class: "muted small" });
  const form = h("form", { "aria-label": "Export options", onsubmit: (event: SubmitEvent) => { event.preventDefault(); void begin(); } },
    field("format", "Format", format),
    field("shardItems", "Samples per shard", shardItems),
    field("minClipScore", "Min CLIP score", minClipScore),
    h("div", { class: "form-field" }, h("label", { for: includeRejected.id, class: "muted small" }, "Rejected attempts too"), includeRejected),
    h("div", { class: "actions" }, start));
  form.style.display = "flex";
  form.style.flexWrap = "wrap";
  form.style.gap = "12px";
  form.style.alignItems = "flex-end";
  const list = h("div", { class: "export-list" });
  const element = h("section", { class: "panel export-panel", "aria-label": "Export" },
    h("header", { class: "section-head" }, h("h2", null, "Export"), h("span", { class: "muted small" }, "WebDataset tar shards and Parquet into the farm's bucket")),
    form, note, list);

  const rows = new Map<string, { element: HTMLElement; state: HTMLElement; bar: ProgressBar; figures: HTMLElement; files: HTMLElement; resume: HTMLButtonElement; shown?: ExportJobProgress }>();
  let finished = false;

  const row = (id: string) => {
    let entry = rows.get(id);
    if (entry) return entry;
    const bar = new ProgressBar("large");
    const state = h("span");
    const figures = h("span", { class: "muted small", "data-field": "figures" });
    const files = h("ul", { class: "export-files" });
    const resume = h("button", { class: "button", type: "button", hidden: true, "data-action": "resume", onclick: () => void resumeExport(id) }, "Resume");
    const element = h("div", { class: "export-row", "data-export": id },
      h("div", { class: "title-row" }, h("h3", { class: "mono" }, id), state, resume),
      bar.element, figures, files);
    entry = { element, state, bar, figures, files, resume };
    rows.set(id, entry);
    list.prepend(element);
    return entry;
  };
  const show = (job: ExportJobProgress | ExportJobInfo) => {
    const entry = row(job.id);
    if (entry.shown?.state !== job.state) replace(entry.state, badge(job.state));
    entry.shown = job;
    entry.element.dataset.state = job.state;
    entry.bar.set({ total: job.total, done: job.samples, failed: 0, cancelled: 0 });
    entry.bar.element.setAttribute("aria-label", `export ${job.id}: ${count(job.samples)} of ${count(job.total)} samples written`);
    const finishedAt = job.finishedAtMs ? ` · finished ${dateTime(job.finishedAtMs)}` : "";
    setText(entry.figures, `${count(job.samples)} of ${count(job.total)} samples · ${count(job.shards)} shard${job.shards === 1 ? "" : "s"} · ${job.format}, ${count(job.shardItems)} per shard · ${job.location} · started by ${job.startedBy} ${dateTime(job.startedAtMs)}${finishedAt}${job.error ? ` · ${job.error}` : ""}`);
    entry.resume.hidden = !(finished && (job.state === "interrupted" || job.state === "failed"));
    if ("files" in job) {
      replace(entry.files, ...job.files.map((file) => h("li", null, h("a", { href: file.url, "data-file": file.name, download: file.name }, file.name), h("span", { class: "muted small" }, ` ${bytes(file.bytes)}`))));
    }
  };
  const reload = async () => {
    try {
      const { exports } = await api<ExportsResponse>(path);
      for (const job of [...exports].reverse()) show(job);
    } catch (error) {
      toast((error as Error).message, "bad");
    }
  };
  const begin = async () => {
    const score = minClipScore.value.trim();
    const request: ExportRequest = { format: format.value as ExportRequest["format"], shardItems: Number(shardItems.value), minClipScore: score === "" ? null : Number(score), includeRejected: includeRejected.checked };
    start.disabled = true;
    try {
      const job = await api<ExportJobInfo>(path, { method: "POST", body: request });
      show(job);
      toast(`Export ${job.id} started`);
    } catch (error) {
      toast((error as Error).message, "bad");
    } finally {
      start.disabled = !finished;
    }
  };
  const resumeExport = async (id: string) => {
    try {
      show(await api<ExportJobInfo>(`${path}/${encodeURIComponent(id)}/resume`, { method: "POST" }));
      toast(`Export ${id} resumed`);
    } catch (error) {
      toast((error as Error).message, "bad");
    }
  };

  const unsubscribe = [
    live.on("exports", (events) => {
      for (const job of events) {
        if (job.batchId !== batchId) continue;
        show(job);
        // The links to its files come with the listing.
        if (job.state !== "running") void reload();
      }
    }),
    live.on("resync", () => void reload()),
  ];
  let loaded = false;
  return {
    element,
    update(batch) {
      finished = batch.state === "completed" || batch.state === "failed" || batch.state === "cancelled";
      start.disabled = !finished;
      setText(note, finished ? "" : "A batch is exported once it has finished, so that its shards stay the same.");
      if (!loaded) {
        loaded = true;
        void reload();
      }
    },
    dispose() {
      for (const off of unsubscribe) off();
    },
  };
}
