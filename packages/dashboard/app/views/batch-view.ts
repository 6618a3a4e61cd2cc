import type { BatchDetailResponse, BatchReportResponse, FailuresResponse, RerunResponse } from "../api-types.ts";
import { badge } from "../components/badge.ts";
import { confirmAction, toast } from "../components/confirm-dialog.ts";
import { ProgressBar } from "../components/progress-bar.ts";
import { api } from "../lib/api.ts";
import { h, replace, setText } from "../lib/dom.ts";
import { count, dateTime, duration, rate } from "../lib/format.ts";
import { link } from "../lib/router.ts";
import { batchExportPanel } from "./batch-export.ts";
import { batchReportPanel } from "./batch-report.ts";
import { batchSweepPanel } from "./batch-sweep.ts";
import { etaMs, isLive, withProgress } from "./batch-state.ts";
import { throttled, type View, type ViewContext } from "./view.ts";

type Batch = BatchDetailResponse["batch"];

/** One batch: live progress and ETA, its quality report, a sweep's grid, exports, its settings, its failures grouped by reason, cancel and re-run. */
export function batchView({ live, route }: ViewContext): View {
  const batchId = route.params.id!;
  let batch: Batch | undefined;
  let failuresNext: string | null = null;
  let shownFailed = -1;
  let loadedAtMs = 0;

  const title = h("h1", null, "Batch");
  const state = h("span");
  const meta = h("p", { class: "muted" });
  const bar = new ProgressBar("large");
  const stat = (label: string, name: string) => {
    const value = h("span", { class: "stat-value", "data-stat": name }, "—");
    return { value, element: h("div", { class: "stat" }, h("span", { class: "stat-label" }, label), value) };
  };
  const stats = {
    done: stat("Done", "done"),
    failed: stat("Failed", "failed"),
    cancelled: stat("Cancelled", "cancelled"),
    remaining: stat("Remaining", "remaining"),
    total: stat("Total", "total"),
    rate: stat("Rate", "rate"),
    eta: stat("ETA", "eta"),
    elapsed: stat("Elapsed", "elapsed"),
  };
  const settings = h("dl", { class: "fields inline" });
  const report = batchReportPanel();
  const sweep = batchSweepPanel(batchId);
  const exports = batchExportPanel(batchId, live);
  const rerunButton = h("button", { class: "button", type: "button", "data-action": "rerun", hidden: true, onclick: () => void rerun() });
  const cancelButton = h("button", { class: "button danger", type: "button", "data-action": "cancel", hidden: true, onclick: () => void cancel() }, "Cancel batch");
  const galleryLink = h("a", { class: "button primary", href: link.gallery(batchId) }, "Gallery");
  const reasons = h("tbody");
  const failures = h("tbody");
  const moreFailures = h("button", { class: "button", type: "button", hidden: true, onclick: () => void loadFailures(true) }, "More failures");
  const failuresSection = h("section", { class: "panel", hidden: true },
    h("header", { class: "section-head" }, h("h2", null, "Failures"), h("span", { class: "muted" }, "grouped by their last error")),
    h("table", { class: "table reasons-table" }, h("thead", null, h("tr", null, h("th", null, "Error"), h("th", { class: "num" }, "Items"), h("th", null, ""))), reasons),
    h("h3", null, "Failed items"),
    h("table", { class: "table failures-table" },
      h("thead", null, h("tr", null, ...["#", "Seed", "Prompt", "Attempts", "Error"].map((label) => h("th", null, label)))), failures),
    h("div", { class: "table-foot" }, moreFailures));
  const element = h("div", { class: "page batch-page" },
    h("header", { class: "page-head" },
      h("div", null, h("div", { class: "title-row" }, title, state), meta),
      h("div", { class: "actions" }, galleryLink, rerunButton, cancelButton)),
    h("section", { class: "panel progress-panel" }, bar.element, h("div", { class: "stats" }, ...Object.values(stats).map((s) => s.element))),
    report.element,
    sweep.element,
    exports.element,
    h("section", { class: "panel" }, h("header", { class: "section-head" }, h("h2", null, "Settings")), settings),
    failuresSection);

  const render = () => {
    if (!batch) return;
    setText(title, batch.name || batch.id);
    replace(state, badge(batch.state));
    setText(meta, `${batch.id} · tenant ${batch.tenantId} · priority ${batch.priority} · created ${dateTime(batch.createdAtMs)}${batch.finishedAtMs ? ` · finished ${dateTime(batch.finishedAtMs)}` : ""}`);
    bar.set(batch);
    const remaining = batch.total - batch.done - batch.failed - batch.cancelled;
    setText(stats.done.value, count(batch.done));
    setText(stats.failed.value, count(batch.failed));
    stats.failed.value.classList.toggle("bad", batch.failed > 0);
    setText(stats.cancelled.value, count(batch.cancelled));
    setText(stats.remaining.value, count(remaining));
    setText(stats.total.value, count(batch.total));
    setText(stats.rate.value, isLive(batch.state) ? rate(batch.ratePerMin) : "—");
    const eta = etaMs(batch);
    setText(stats.eta.value, eta === undefined ? (isLive(batch.state) ? "measuring…" : "—") : duration(eta));
    setText(stats.elapsed.value, duration((batch.finishedAtMs ?? Date.now()) - batch.createdAtMs));
    cancelButton.hidden = !isLive(batch.state);
    rerunButton.hidden = batch.failed === 0 || batch.state === "cancelled";
    setText(rerunButton, `Re-run ${count(batch.failed)} failed`);
    failuresSection.hidden = batch.failed === 0;
  };
  const showSettings = () => {
    const d = batch?.defaults ?? {};
    const field = (label: string, value: unknown) => (value === undefined ? null : [h("dt", null, label), h("dd", null, String(value))]);
    replace(settings,
      field("Model", d.model), field("Size", d.width && d.height ? `${d.width}×${d.height}` : undefined),
      field("Steps", d.steps), field("Sampler", d.sampler), field("CFG scale", d.guidance));
  };
  const showReasons = (detail: BatchDetailResponse) => {
    replace(reasons, ...detail.failureReasons.map((reason) =>
      h("tr", null,
        h("td", { class: "error-text" }, reason.error || "(no message)"),
        h("td", { class: "num" }, count(reason.count)),
        h("td", null, h("a", { href: link.gallery(batchId, "failed") }, "view")))));
  };
  const loadFailures = async (append: boolean) => {
    const page = await api<FailuresResponse>(`/api/batches/${encodeURIComponent(batchId)}/failures?limit=50${append && failuresNext ? `&after=${failuresNext}` : ""}`);
    failuresNext = page.next;
    const rows = page.failures.map((failure) =>
      h("tr", null,
        h("td", { class: "num" }, count(failure.index)),
        h("td", { class: "num mono" }, String(failure.seed)),
        h("td", { class: "prompt-cell", title: failure.prompt }, failure.prompt),
        h("td", { class: "num" }, failure.lostLeases > 0 ? `${failure.attempts} (${failure.lostLeases} lost)` : String(failure.attempts)),
        h("td", { class: "error-text" }, failure.error)));
    if (append) failures.append(...rows);
    else replace(failures, ...rows);
    moreFailures.hidden = failuresNext === null;
  };
  const load = throttled(async () => {
    loadedAtMs = Date.now();
    const [detail, figures] = await Promise.all([
      api<BatchDetailResponse>(`/api/batches/${encodeURIComponent(batchId)}`),
      api<BatchReportResponse>(`/api/batches/${encodeURIComponent(batchId)}/report`),
    ]);
    batch = detail.batch;
    report.show(figures);
    sweep.update(batch);
    exports.update(batch);
    render();
    showSettings();
    showReasons(detail);
    if (batch.failed !== shownFailed) {
      shownFailed = batch.failed;
      if (batch.failed > 0) await loadFailures(false);
    }
  }, 2_000, (error) => {
    if (!batch) replace(element, h("p", { class: "empty error" }, (error as Error).message));
    else toast((error as Error).message, "bad");
  });
  const cancel = async () => {
    const ok = await confirmAction({
      title: "Cancel this batch?",
      body: `Its ${count(batch ? batch.total - batch.done - batch.failed - batch.cancelled : 0)} unfinished items stop within a denoising step. Finished images stay.`,
      confirm: "Cancel batch",
      danger: true,
    });
    if (!ok) return;
    try {
      batch = (await api<BatchDetailResponse>(`/api/batches/${encodeURIComponent(batchId)}/cancel`, { method: "POST" })).batch;
      render();
      toast("Batch cancelled");
    } catch (error) {
      toast((error as Error).message, "bad");
    }
  };
  const rerun = async () => {
    try {
      const result = await api<RerunResponse>(`/api/batches/${encodeURIComponent(batchId)}/rerun-failed`, { method: "POST" });
      batch = result.batch;
      render();
      toast(`${count(result.requeued)} items back in the queue`);
      load.run();
    } catch (error) {
      toast((error as Error).message, "bad");
    }
  };

  // Events are hints: a live batch is also re-read now and then, so a missed one costs seconds, not the page.
  const tick = window.setInterval(() => {
    render();
    if (batch && isLive(batch.state) && Date.now() - loadedAtMs > 10_000) load.run();
  }, 1_000);
  const unsubscribe = [
    live.on("progress", (events) => {
      const event = events.find((e) => e.batchId === batchId);
      if (!event || !batch) return;
      batch = withProgress(batch, event);
      render();
      if (batch.failed !== shownFailed || !isLive(batch.state)) load.run();
    }),
    live.on("resync", () => load.run()),
  ];
  load.run();
  return {
    element,
    dispose() {
      window.clearInterval(tick);
      load.cancel();
      exports.dispose();
      for (const off of unsubscribe) off();
    },
  };
}
