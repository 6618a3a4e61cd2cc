import type { WebhookDeliveriesResponse, WebhooksResponse, WebhookTestResponse } from "@atelier/dashboard/api-types";
import type { FarmHandlers } from "@atelier/protocol";
import { callUnary } from "./in-process-call.ts";
import type { Route } from "./router.ts";

/** Rows of an endpoint's delivery log the page shows. */
const LOG_ROWS = 100;

/**
 * Every tenant's webhook endpoints, their delivery logs and a test event, for
 * admins (every dashboard session is an admin's). They are the Farm API's
 * webhook RPCs called as the signed-in admin, so the checks, the scoping and
 * the audit are the CLI's.
 */
export function webhookRoutes(deps: { farm: (actor: string) => FarmHandlers }): Route[] {
  const number = (value: number | string | { toString(): string } | undefined) => Number(value ?? 0);
  return [
    {
      method: "GET",
      path: "/api/webhooks",
      handler: async ({ session }): Promise<WebhooksResponse> => {
        const { endpoints = [] } = await callUnary(deps.farm(session!.principal.actor).ListWebhooks, { tenant: "" });
        return {
          endpoints: endpoints.map((e) => ({
            id: e.id ?? "",
            tenant: e.tenant ?? "",
            url: e.url ?? "",
            events: e.events ?? [],
            createdAtMs: number(e.createdAtMs),
            rotating: e.rotating ?? false,
          })),
        };
      },
    },
    {
      method: "GET",
      path: "/api/webhooks/:id/deliveries",
      handler: async ({ params, session }): Promise<WebhookDeliveriesResponse> => {
        const { deliveries = [] } = await callUnary(deps.farm(session!.principal.actor).ListWebhookDeliveries, { id: params.id!, limit: LOG_ROWS });
        return {
          deliveries: deliveries.map((d) => ({
            id: d.id ?? "",
            messageId: d.messageId ?? "",
            eventType: d.eventType ?? "",
            state: d.state ?? "",
            attempts: d.attempts ?? 0,
            lastStatus: d.lastStatus ?? 0,
            lastError: d.lastError ?? "",
            createdAtMs: number(d.createdAtMs),
            // The RPC says 0 until delivered.
            deliveredAtMs: number(d.deliveredAtMs) || null,
            nextAttemptAtMs: number(d.nextAttemptAtMs),
          })),
        };
      },
    },
    {
      method: "POST",
      path: "/api/webhooks/:id/test",
      handler: async ({ params, session }): Promise<WebhookTestResponse> => {
        const { messageId = "" } = await callUnary(deps.farm(session!.principal.actor).TestWebhook, { id: params.id! });
        return { messageId };
      },
    },
  ];
}
