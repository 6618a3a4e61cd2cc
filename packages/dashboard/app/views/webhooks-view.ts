import type { WebhookDeliveriesResponse, WebhookEndpointInfo, WebhooksResponse, WebhookTestResponse } from "../api-types.ts";
import { badge } from "../components/badge.ts";
import { toast } from "../components/confirm-dialog.ts";
import { api } from "../lib/api.ts";
import { h, replace, setText } from "../lib/dom.ts";
import { dateTime } from "../lib/format.ts";
import type { View } from "./view.ts";

/** While a shown delivery is pending, its log is re-read this often. */
const PENDING_POLL_MS = 2_000;

/** Every tenant's webhook endpoints; each one's delivery log, and a test event to send it. */
export function webhooksView(): View {
  let selected: WebhookEndpointInfo | undefined;
  let poll: number | undefined;
  let disposed = false;
  const endpoints = h("tbody");
  const status = h("p", { class: "empty muted", hidden: true });
  const logTitle = h("h2", null, "Deliveries");
  const logHint = h("span", { class: "muted small" });
  const deliveries = h("tbody");
  const logStatus = h("p", { class: "empty muted", hidden: true });
  const logSection = h("section", { class: "panel", hidden: true, tabindex: 0, "aria-label": "Delivery log" },
    h("header", { class: "section-head" }, logTitle, logHint),
    h("table", { class: "table deliveries-table" },
      h("thead", null, h("tr", null, ...["Event", "State", "Attempts", "Last status", "Created", "Delivered", "Last error"].map((label) => h("th", null, label)))),
      deliveries),
    logStatus);
  const element = h("div", { class: "page webhooks-page" },
    h("header", { class: "page-head" },
      h("div", null, h("h1", null, "Webhooks"), h("p", { class: "muted" }, "Every tenant's endpoints, signed per Standard Webhooks; choose one for its delivery log."))),
    // Focusable: on a narrow screen the table scrolls sideways, and keyboards must reach that too.
    h("section", { class: "panel", tabindex: 0, "aria-label": "Webhook endpoints" },
      h("table", { class: "table webhooks-table" },
        h("thead", null, h("tr", null, ...["Tenant", "URL", "Events", "Created", ""].map((label) => h("th", null, label)))),
        endpoints),
      status),
    logSection);

  const showLog = async (endpoint: WebhookEndpointInfo) => {
    window.clearTimeout(poll);
    selected = endpoint;
    logSection.hidden = false;
    setText(logTitle, `Deliveries to ${endpoint.url}`);
    setText(logHint, `${endpoint.id} · tenant ${endpoint.tenant} · newest first`);
    try {
      const { deliveries: rows } = await api<WebhookDeliveriesResponse>(`/api/webhooks/${encodeURIComponent(endpoint.id)}/deliveries`);
      if (disposed || selected !== endpoint) return;
      replace(deliveries, ...rows.map((d) =>
        h("tr", { "data-delivery": d.id, "data-message": d.messageId },
          h("td", { class: "mono small", "data-field": "event" }, d.eventType),
          h("td", { "data-field": "state" }, badge(d.state)),
          h("td", { class: "num", "data-field": "attempts" }, String(d.attempts)),
          h("td", { class: "num", "data-field": "status" }, d.lastStatus > 0 ? String(d.lastStatus) : "—"),
          h("td", { class: "muted nowrap" }, dateTime(d.createdAtMs)),
          h("td", { class: "muted nowrap" }, d.deliveredAtMs === null ? "—" : dateTime(d.deliveredAtMs)),
          h("td", { class: "error-text small", "data-field": "error" }, d.lastError || "—"))));
      logStatus.hidden = rows.length > 0;
      replace(logStatus, "Nothing delivered to this endpoint yet.");
      if (rows.some((d) => d.state === "pending")) poll = window.setTimeout(() => void showLog(endpoint), PENDING_POLL_MS);
    } catch (error) {
      logStatus.hidden = false;
      replace(logStatus, h("span", { class: "error" }, (error as Error).message));
    }
  };
  const sendTest = async (endpoint: WebhookEndpointInfo, button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      const { messageId } = await api<WebhookTestResponse>(`/api/webhooks/${encodeURIComponent(endpoint.id)}/test`, { method: "POST" });
      toast(`Test event ${messageId} queued for ${endpoint.url}`);
      await showLog(endpoint);
    } catch (error) {
      toast((error as Error).message, "bad");
    } finally {
      button.disabled = false;
    }
  };
  const row = (endpoint: WebhookEndpointInfo) => {
    const test = h("button", { class: "button", type: "button", "data-action": "test" }, "Send test event");
    test.addEventListener("click", () => void sendTest(endpoint, test));
    return h("tr", { "data-webhook": endpoint.id },
      h("td", { "data-field": "tenant" }, endpoint.tenant),
      h("td", { class: "mono small", "data-field": "url" }, endpoint.url),
      h("td", { class: "small", "data-field": "events" }, endpoint.events.join(", ")),
      h("td", { class: "muted nowrap" }, dateTime(endpoint.createdAtMs), endpoint.rotating ? [" ", badge("rotating")] : null),
      h("td", { class: "nowrap" },
        h("div", { class: "actions" },
          h("button", { class: "button subtle", type: "button", "data-action": "log", onclick: () => void showLog(endpoint) }, "Deliveries"),
          test)));
  };
  const load = async () => {
    try {
      const page = await api<WebhooksResponse>("/api/webhooks");
      replace(endpoints, ...page.endpoints.map(row));
      status.hidden = page.endpoints.length > 0;
      replace(status, "No tenant has registered a webhook endpoint: atelier webhooks add URL --events … does.");
    } catch (error) {
      status.hidden = false;
      replace(status, h("span", { class: "error" }, (error as Error).message));
    }
  };
  void load();
  return {
    element,
    dispose() {
      disposed = true;
      window.clearTimeout(poll);
    },
  };
}
