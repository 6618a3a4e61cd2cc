import type { BatchesResponse, BatchSummary } from "../api-types.ts";
import { badge } from "../components/badge.ts";
import { ProgressBar } from "../components/progress-bar.ts";
import { api } from "../lib/api.ts";
import { h, replace } from "../lib/dom.ts";
import { count, dateTime, duration, percent, rate, shortId } from "../lib/format.ts";
import { link } from "../lib/router.ts";
import { etaMs, isLive, stateFromEvent, withProgress } from "./batch-state.ts";
import { throttled, type View, type ViewContext } from "./view.ts";

const FILTERS: [string, string][] = [["live", "Live"], ["", "All"], ["completed", "Completed"], ["failed", "Failed"], ["cancelled", "Cancelled"]];

/** Batches newest first, a page at a time, with live progress. */
export function batchesView({ live, route }: ViewContext): View {
  const state = route.query.get("state") ?? "live";
  let batches: BatchSummary[] = [];
  let next: string | null = null;
  const body = h("tbody");
  const more = h("button", { class: "button", type: "button", hidden: true, onclick: () => void loadMore() }, "Older batches");
  const empty = h("p", { class: "empty muted", hidden: true }, state === "live" ? "Nothing is queued or running." : "No batches here yet.");
  const element = h("div", { class: "page" },
    h("header", { class: "page-head" },
      h("h1", null, "Batches"),
      h("nav", { class: "chips", "aria-label": "Batch state" },
        ...FILTERS.map(([value, label]) => h("a", { class: `chip${value === state ? " active" : ""}`, href: link.batches(value || "all") }, label)))),
    h("section", { class: "panel" },
      h("table", { class: "table batches-table" },
        h("thead", null, h("tr", null, ...["Batch", "Tenant", "State", "Progress", "Done", "Failed", "Rate", "ETA", "Created"].map((label) => h("th", null, label)))),
        body),
      empty,
      h("div", { class: "table-foot" }, more)));

  const row = (batch: BatchSummary) => {
    const bar = new ProgressBar();
    bar.set(batch);
    const settled = (batch.done + batch.failed + batch.cancelled) / Math.max(1, batch.total);
    const eta = etaMs(batch);
    return h("tr", { "data-batch": batch.id },
      h("td", null, h("a", { href: link.batch(batch.id) }, h("strong", null, batch.name || shortId(batch.id))), h("span", { class: "muted small mono" }, shortId(batch.id))),
      h("td", null, batch.tenantId),
      h("td", null, badge(batch.state)),
      h("td", { class: "c-progress" }, bar.element, h("span", { class: "small muted" }, percent(settled))),
      h("td", { class: "num" }, `${count(batch.done)} / ${count(batch.total)}`),
      h("td", { class: `num${batch.failed > 0 ? " bad" : ""}` }, count(batch.failed)),
      h("td", { class: "num" }, isLive(batch.state) ? rate(batch.ratePerMin) : "—"),
      h("td", { class: "num" }, eta === undefined ? "—" : duration(eta)),
      h("td", { class: "muted" }, dateTime(batch.createdAtMs)));
  };
  const render = () => {
    replace(body, ...batches.map(row));
    more.hidden = next === null;
    empty.hidden = batches.length > 0;
  };
  const query = (before?: string) => `/api/batches?limit=50${state && state !== "all" ? `&state=${state}` : ""}${before ? `&before=${encodeURIComponent(before)}` : ""}`;
  const reload = throttled(async () => {
    // Re-read as many as are shown, so that "older" pages stay put.
    const shown = Math.max(50, Math.min(200, batches.length));
    const page = await api<BatchesResponse>(query().replace("limit=50", `limit=${shown}`));
    batches = page.batches;
    next = page.next;
    render();
  }, 2_000);
  const loadMore = async () => {
    if (!next) return;
    const page = await api<BatchesResponse>(query(next));
    batches = [...batches, ...page.batches];
    next = page.next;
    render();
  };

  const unsubscribe = [
    live.on("progress", (events) => {
      let reread = false;
      for (const event of events) {
        const at = batches.findIndex((batch) => batch.id === event.batchId);
        // A new batch, or a finished one live again (re-run): the list itself changed.
        if (at < 0 || (!isLive(batches[at]!.state) && isLive(stateFromEvent(event.state)))) reread = true;
        else batches[at] = withProgress(batches[at]!, event);
      }
      render();
      // Or one that left this filter.
      if (reread || (state === "live" && batches.some((batch) => !isLive(batch.state)))) reload.run();
    }),
    live.on("resync", () => reload.run()),
  ];
  reload.run();
  return {
    element,
    dispose() {
      for (const off of unsubscribe) off();
      reload.cancel();
    },
  };
}
