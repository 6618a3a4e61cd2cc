import type { AuditEvent, AuditResponse } from "../api-types.ts";
import { api } from "../lib/api.ts";
import { h, replace } from "../lib/dom.ts";
import { dateTime } from "../lib/format.ts";
import type { View } from "./view.ts";

const PAGE = 100;

/** The audit log: who signed in, cancelled, drained, re-ran, created or revoked what, and when; newest first. */
export function auditView(): View {
  let events: AuditEvent[] = [];
  let next: string | null = null;
  const body = h("tbody");
  const more = h("button", { class: "button", type: "button", hidden: true, onclick: () => void load(next ?? undefined) }, "Older events");
  const refresh = h("button", { class: "button", type: "button", onclick: () => void load() }, "Refresh");
  const status = h("p", { class: "empty muted", hidden: true });
  const element = h("div", { class: "page audit-page" },
    h("header", { class: "page-head" },
      h("div", null, h("h1", null, "Audit log"), h("p", { class: "muted" }, "Every admin act, newest first.")),
      h("div", { class: "actions" }, refresh)),
    // Focusable: on a narrow screen the table scrolls sideways, and keyboards must reach that too.
    h("section", { class: "panel", tabindex: 0, "aria-label": "Audit events" },
      h("table", { class: "table audit-table" },
        h("thead", null, h("tr", null, ...["When", "Who", "What", "On", "Details"].map((label) => h("th", null, label)))),
        body),
      status,
      h("div", { class: "table-foot" }, more)));

  const details = (detail: Record<string, unknown>) =>
    Object.entries(detail).map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`).join(", ");
  const row = (event: AuditEvent) =>
    h("tr", { "data-audit": event.id },
      h("td", { class: "muted nowrap" }, dateTime(event.atMs)),
      h("td", { class: "mono small", "data-field": "actor" }, event.actor),
      h("td", { "data-field": "action" }, event.action),
      h("td", { class: "mono small", "data-field": "target" }, event.target || "—"),
      h("td", { class: "muted small", "data-field": "detail" }, details(event.detail) || "—"));
  const load = async (before?: string) => {
    try {
      const page = await api<AuditResponse>(`/api/audit?limit=${PAGE}${before ? `&before=${encodeURIComponent(before)}` : ""}`);
      events = before ? [...events, ...page.events] : page.events;
      next = page.next;
      replace(body, ...events.map(row));
      more.hidden = next === null;
      status.hidden = events.length > 0;
      replace(status, "Nothing audited yet.");
    } catch (error) {
      status.hidden = false;
      replace(status, h("span", { class: "error" }, (error as Error).message));
    }
  };
  void load();
  return { element, dispose() {} };
}
