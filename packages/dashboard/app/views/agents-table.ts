import type { AgentInfo, AgentStatus } from "../api-types.ts";
import { badge } from "../components/badge.ts";
import { VirtualRows } from "../components/virtual-rows.ts";
import { h, replace } from "../lib/dom.ts";
import { ago, bytes, count, rate, shortId } from "../lib/format.ts";
import { link } from "../lib/router.ts";

type SortKey = "name" | "status" | "imagesPerMin" | "imagesDone" | "lastSeenMs";

const COLUMNS: { label: string; sort?: SortKey; className: string }[] = [
  { label: "Agent", sort: "name", className: "c-name" },
  { label: "Status", sort: "status", className: "c-status" },
  { label: "GPU", className: "c-gpu" },
  { label: "Memory", className: "c-mem" },
  { label: "Provider", className: "c-provider" },
  { label: "Models", className: "c-models" },
  { label: "Current shard", className: "c-shard" },
  { label: "Img/min", sort: "imagesPerMin", className: "c-num" },
  { label: "Images", sort: "imagesDone", className: "c-num" },
  { label: "Heartbeat", sort: "lastSeenMs", className: "c-seen" },
];

// Problems first when sorting by status.
const STATUS_ORDER: Record<AgentStatus, number> = { silent: 0, draining: 1, online: 2, offline: 3 };

/** Every agent of the farm, filterable and sortable, rendered only as far as it is in view. */
export class AgentsTable {
  readonly element: HTMLElement;
  private readonly rows: VirtualRows<AgentInfo>;
  private readonly header: HTMLElement;
  private readonly summary: HTMLElement;
  private agents: AgentInfo[] = [];
  private filter = "";
  private status: AgentStatus | "all" = "all";
  private sort: { key: SortKey; descending: boolean } = { key: "name", descending: false };

  constructor() {
    this.rows = new VirtualRows<AgentInfo>({
      rowHeightPx: 44,
      overscan: 6,
      className: "agents-rows",
      key: (agent) => agent.id,
      renderRow: (agent) => this.row(agent),
    });
    this.header = h("div", { class: "agents-row agents-head", role: "row" });
    this.summary = h("span", { class: "muted" });
    const search = h("input", { type: "search", placeholder: "Filter by name, GPU, model…", "aria-label": "Filter agents" });
    search.addEventListener("input", () => {
      this.filter = search.value.trim().toLowerCase();
      this.render();
    });
    const statusSelect = h("select", { "aria-label": "Agent status" },
      ...["all", "online", "draining", "silent", "offline"].map((value) => h("option", { value }, value === "all" ? "Any status" : value)));
    statusSelect.addEventListener("change", () => {
      this.status = statusSelect.value as AgentStatus | "all";
      this.render();
    });
    this.element = h("section", { class: "panel agents-panel" },
      h("header", { class: "section-head" }, h("h2", null, "Agents"), this.summary, h("div", { class: "spacer" }), search, statusSelect),
      h("div", { class: "agents-table", role: "table", "aria-label": "Agents" }, this.header, this.rows.element));
    this.rows.element.setAttribute("role", "rowgroup");
    this.renderHeader();
  }

  setAgents(agents: AgentInfo[]): void {
    this.agents = agents;
    this.render();
  }

  dispose(): void {
    this.rows.dispose();
  }

  private renderHeader(): void {
    replace(this.header, ...COLUMNS.map((column) => {
      const active = column.sort === this.sort.key;
      const cell = h("span", { class: `${column.className}${column.sort ? " sortable" : ""}${active ? " sorted" : ""}`, role: "columnheader",
          "aria-sort": active ? (this.sort.descending ? "descending" : "ascending") : undefined },
        column.label, active ? (this.sort.descending ? " ↓" : " ↑") : "");
      if (column.sort) {
        cell.addEventListener("click", () => {
          this.sort = { key: column.sort!, descending: active ? !this.sort.descending : column.sort !== "name" && column.sort !== "status" };
          this.renderHeader();
          this.render();
        });
      }
      return cell;
    }));
  }

  private render(): void {
    const { key, descending } = this.sort;
    const visible = this.agents
      .filter((agent) => this.status === "all" || agent.status === this.status)
      .filter((agent) => !this.filter || [agent.name, agent.id, agent.gpu, ...agent.models, ...agent.providers].some((text) => text.toLowerCase().includes(this.filter)))
      .sort((a, b) => {
        const order = key === "name" ? a.name.localeCompare(b.name) : key === "status" ? STATUS_ORDER[a.status] - STATUS_ORDER[b.status] : a[key] - b[key];
        return (descending ? -order : order) || a.name.localeCompare(b.name);
      });
    const online = this.agents.filter((agent) => agent.status !== "offline").length;
    replace(this.summary, `${count(online)} of ${count(this.agents.length)} online${visible.length !== this.agents.length ? ` · ${count(visible.length)} shown` : ""}`);
    this.rows.setRows(visible);
  }

  private row(agent: AgentInfo): HTMLElement {
    const shard = agent.currentShards[0];
    const shardCell = shard
      ? h("span", { role: "cell", class: "c-shard", title: `${shard.batchName || shard.batchId} · shard ${shard.shardId}` },
          h("a", { href: link.batch(shard.batchId) }, shard.batchName || shortId(shard.batchId)),
          h("span", { class: "muted" }, ` ${shard.done}/${shard.items}`),
          agent.currentShards.length > 1 ? h("span", { class: "muted" }, ` +${agent.currentShards.length - 1}`) : null)
      : h("span", { role: "cell", class: "c-shard muted" }, agent.status === "offline" ? "—" : "idle");
    const open = () => (location.hash = link.agent(agent.id));
    const row = h("div", { class: `agents-row status-${agent.status}`, role: "row", tabindex: 0, "data-agent": agent.name,
        onclick: (event: MouseEvent) => (event.target as Element).closest("a") || open(),
        onkeydown: (event: KeyboardEvent) => event.key === "Enter" && open() },
      h("span", { role: "cell", class: "c-name" }, h("a", { href: link.agent(agent.id) }, h("strong", null, agent.name)), agent.id !== agent.name ? h("span", { class: "muted small" }, agent.id) : null),
      h("span", { role: "cell", class: "c-status" }, badge(agent.status)),
      h("span", { role: "cell", class: "c-gpu", title: agent.gpu }, agent.gpu || "—"),
      h("span", { role: "cell", class: "c-mem" }, bytes(agent.memoryBytes)),
      h("span", { role: "cell", class: "c-provider" }, agent.providers.join(", ")),
      h("span", { role: "cell", class: "c-models", title: agent.models.join(", ") }, agent.models.join(", ") || "—"),
      shardCell,
      h("span", { role: "cell", class: "c-num" }, rate(agent.imagesPerMin).replace("/min", "")),
      h("span", { role: "cell", class: "c-num" }, count(agent.imagesDone)),
      h("span", { role: "cell", class: "c-seen", title: new Date(agent.lastSeenMs).toLocaleString() }, ago(agent.lastSeenMs)));
    return row;
  }
}
