import type { AgentDetailResponse, RecentShard } from "../api-types.ts";
import { badge } from "../components/badge.ts";
import { confirmAction, toast } from "../components/confirm-dialog.ts";
import { ProgressBar } from "../components/progress-bar.ts";
import { api } from "../lib/api.ts";
import { h, replace } from "../lib/dom.ts";
import { ago, bytes, count, dateTime, duration, rate, shortId } from "../lib/format.ts";
import { link } from "../lib/router.ts";
import { throttled, type View, type ViewContext } from "./view.ts";

/** One agent: what it is, what it is doing, what it did lately; drain and undrain. */
export function agentView({ live, route }: ViewContext): View {
  const agentId = route.params.id!;
  let detail: AgentDetailResponse | undefined;
  const head = h("header", { class: "page-head" });
  const facts = h("dl", { class: "fields columns" });
  const current = h("div", { class: "current-shards" });
  const recent = h("tbody");
  const lost = h("span", { class: "muted" });
  const element = h("div", { class: "page agent-page" },
    head,
    h("section", { class: "panel" }, h("header", { class: "section-head" }, h("h2", null, "Details")), facts),
    h("section", { class: "panel" }, h("header", { class: "section-head" }, h("h2", null, "Working on")), current),
    h("section", { class: "panel" },
      h("header", { class: "section-head" }, h("h2", null, "Recent shards"), lost),
      h("table", { class: "table shards-table" },
        h("thead", null, h("tr", null, ...["Batch", "Shard", "Epoch", "Outcome", "Items", "Leased", "Duration"].map((label) => h("th", null, label)))),
        recent)));

  const drain = async (on: boolean) => {
    if (on && !(await confirmAction({
      title: `Drain ${detail?.agent.name ?? agentId}?`,
      body: "It finishes or hands back the shard it holds and takes no more work until undrained. Nothing is lost.",
      confirm: "Drain",
    }))) return;
    try {
      detail = await api<AgentDetailResponse>(`/api/agents/${encodeURIComponent(agentId)}/drain`, { method: "POST", body: { drain: on } });
      render();
      toast(on ? "Agent draining" : "Agent back in service");
    } catch (error) {
      toast((error as Error).message, "bad");
    }
  };
  const shardRow = (shard: RecentShard) =>
    h("tr", null,
      h("td", null, h("a", { href: link.batch(shard.batchId) }, shard.batchName || shortId(shard.batchId))),
      h("td", { class: "mono small" }, shortId(shard.shardId)),
      h("td", { class: "num" }, String(shard.epoch)),
      h("td", null, badge(shard.state === "leased" ? "running" : shard.state)),
      h("td", { class: "num" }, `${count(shard.done)} / ${count(shard.items)}`),
      h("td", { class: "muted" }, dateTime(shard.leasedAtMs)),
      h("td", { class: "num" }, duration((shard.endedAtMs ?? Date.now()) - shard.leasedAtMs)));
  const render = () => {
    if (!detail) return;
    const { agent, recentShards } = detail;
    replace(head,
      h("div", null, h("div", { class: "title-row" }, h("h1", null, agent.name), badge(agent.status)), h("p", { class: "muted mono" }, agent.id)),
      h("div", { class: "actions" },
        agent.draining
          ? h("button", { class: "button primary", type: "button", "data-action": "undrain", onclick: () => void drain(false) }, "Undrain")
          : h("button", { class: "button", type: "button", "data-action": "drain", onclick: () => void drain(true) }, "Drain")));
    const fact = (label: string, value: string) => [h("dt", null, label), h("dd", null, value)];
    replace(facts,
      fact("GPU", agent.gpu || "—"), fact("Memory", bytes(agent.memoryBytes)), fact("Providers", agent.providers.join(", ")),
      fact("Models", agent.models.join(", ") || "—"), fact("Slots", `${agent.busySlots} busy of ${agent.slots}`),
      fact("Largest image", `${agent.maxWidth}×${agent.maxHeight}`), fact("Images", count(agent.imagesDone)),
      fact("Images/min", rate(agent.imagesPerMin)), fact("Last heartbeat", ago(agent.lastSeenMs)), fact("Version", agent.version || "—"));
    replace(current, ...(agent.currentShards.length === 0
      ? [h("p", { class: "muted" }, agent.draining ? "Draining: takes no new work." : agent.status === "offline" ? "Offline." : "Idle.")]
      : agent.currentShards.map((shard) => {
          const bar = new ProgressBar();
          bar.set({ total: shard.items, done: shard.done, failed: 0, cancelled: 0 });
          return h("div", { class: "current-shard" },
            h("a", { href: link.batch(shard.batchId) }, shard.batchName || shortId(shard.batchId)),
            bar.element,
            h("span", { class: "muted small" }, `${shard.done} of ${shard.items} · for ${duration(Date.now() - shard.leasedAtMs)}`));
        })));
    replace(recent, ...recentShards.map(shardRow));
    const troubled = recentShards.filter((shard) => shard.state === "expired").length;
    replace(lost, troubled > 0 ? h("span", { class: "bad" }, `${troubled} of the last ${recentShards.length} lost their lease`) : `last ${recentShards.length}`);
  };
  const load = throttled(async () => {
    detail = await api<AgentDetailResponse>(`/api/agents/${encodeURIComponent(agentId)}`);
    render();
  }, 3_000, (error) => {
    if (!detail) replace(element, h("p", { class: "empty error" }, (error as Error).message));
  });
  const unsubscribe = [
    live.on("load", () => load.run()),
    live.on("agents", (events) => events.some((event) => event.agentId === agentId) && load.run()),
    live.on("resync", () => load.run()),
  ];
  load.run();
  return {
    element,
    dispose() {
      load.cancel();
      for (const off of unsubscribe) off();
    },
  };
}
