import type { AgentsResponse, FarmLoadSample, FarmResponse } from "../api-types.ts";
import { LineChart, type ChartPoint } from "../components/line-chart.ts";
import { api } from "../lib/api.ts";
import { h, setText } from "../lib/dom.ts";
import { compact, count, percent } from "../lib/format.ts";
import { link } from "../lib/router.ts";
import { AgentsTable } from "./agents-table.ts";
import { throttled, type View, type ViewContext } from "./view.ts";

const HOUR_MS = 60 * 60 * 1000;

/** The farm at a glance: headline numbers, the last hour as charts, and every agent. */
export function farmView({ live }: ViewContext): View {
  let history: FarmLoadSample[] = [];
  const kpi = (label: string, name: string, href?: string) => {
    const value = h("span", { class: "kpi-value", "data-kpi": name }, "—");
    const detail = h("span", { class: "kpi-detail muted" });
    const body = [h("span", { class: "kpi-label" }, label), value, detail];
    return { element: href ? h("a", { class: "kpi panel", href }, ...body) : h("div", { class: "kpi panel" }, ...body), value, detail };
  };
  const kpis = {
    agents: kpi("Agents online", "agents"),
    utilisation: kpi("Utilisation", "utilisation"),
    throughput: kpi("Images / min", "throughput"),
    queue: kpi("Queued items", "queue", link.batches("live")),
    batches: kpi("Live batches", "batches", link.batches("live")),
  };
  const charts = {
    throughput: new LineChart({ title: "Throughput · images/min", format: compact, color: "var(--series-1)", windowMs: HOUR_MS }),
    queue: new LineChart({ title: "Queue depth · items", format: compact, color: "var(--series-2)", windowMs: HOUR_MS }),
    utilisation: new LineChart({ title: "Farm utilisation", format: percent, color: "var(--series-3)", windowMs: HOUR_MS, maxY: 1 }),
  };
  const table = new AgentsTable();
  const element = h("div", { class: "page farm-page" },
    h("div", { class: "kpis" }, ...Object.values(kpis).map((k) => k.element)),
    h("div", { class: "charts" }, ...Object.values(charts).map((c) => c.element)),
    table.element);

  const showLoad = () => {
    const latest = history.at(-1);
    if (latest) {
      setText(kpis.agents.value, count(latest.agentsOnline));
      setText(kpis.agents.detail, `of ${count(latest.agents)} registered`);
      setText(kpis.utilisation.value, percent(latest.utilisation));
      setText(kpis.utilisation.detail, `${count(latest.liveLeases)} of ${count(latest.slots)} slots busy`);
      setText(kpis.throughput.value, compact(latest.imagesPerMin));
      setText(kpis.throughput.detail, "over the last minute");
      setText(kpis.queue.value, compact(latest.queueDepth));
      setText(kpis.queue.detail, "waiting or rendering");
      setText(kpis.batches.value, count(latest.liveBatches));
      setText(kpis.batches.detail, "queued or running");
    }
    const series = (pick: (sample: FarmLoadSample) => number): ChartPoint[] => history.map((sample) => ({ atMs: sample.atMs, value: pick(sample) }));
    charts.throughput.setData(series((sample) => sample.imagesPerMin));
    charts.queue.setData(series((sample) => sample.queueDepth));
    charts.utilisation.setData(series((sample) => sample.utilisation));
  };
  const loadFarm = async () => {
    history = [...(await api<FarmResponse>("/api/farm")).load];
    showLoad();
  };
  const agents = throttled(async () => table.setAgents((await api<AgentsResponse>("/api/agents")).agents), 2_000);

  const unsubscribe = [
    live.on("load", (sample) => {
      history.push(sample);
      history = history.filter((s) => s.atMs >= sample.atMs - HOUR_MS);
      showLoad();
      // Busy slots, shards and heartbeats move with every sample.
      agents.run();
    }),
    live.on("agents", () => agents.run()),
    live.on("resync", () => {
      void loadFarm();
      agents.run();
    }),
  ];
  void loadFarm();
  agents.run();
  return {
    element,
    dispose() {
      for (const off of unsubscribe) off();
      agents.cancel();
      table.dispose();
      for (const chart of Object.values(charts)) chart.dispose();
    },
  };
}
