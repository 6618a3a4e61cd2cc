import { parseArgs } from "node:util";
import { CliError } from "../cli-error.ts";
import { connect, COORDINATOR_OPTION } from "../client-options.ts";
import { textTable } from "../text-table.ts";

const USAGE = `usage: atelier webhooks add URL --events E1,E2 [--tenant T] [--json]
       atelier webhooks list [--tenant T] [--json]
       atelier webhooks remove ID
       atelier webhooks rotate ID [--overlap-s S] [--json]
       atelier webhooks test ID
       atelier webhooks deliveries ID [--limit N] [--json]
events: batch.completed, batch.failed, batch.cancelled, item.exhausted, image.quarantined`;

/**
 * Webhook endpoints through the Farm API: a tenant token manages its own
 * tenant's, an admin token any tenant's (--tenant). The secret of `add` and
 * `rotate` is printed once, on stdout.
 */
export async function webhooksCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { ...COORDINATOR_OPTION, tenant: { type: "string", default: "" }, events: { type: "string" }, "overlap-s": { type: "string" }, limit: { type: "string" }, json: { type: "boolean", default: false } },
  });
  const target = positionals[0];
  const client = connect(values);
  try {
    if (action === "add") {
      if (!target || !values.events) throw new CliError(`a URL and --events are required\n${USAGE}`, 2);
      const created = await client.addWebhook(target, values.events.split(",").map((e) => e.trim()).filter(Boolean), values.tenant);
      if (values.json) {
        console.log(JSON.stringify({ id: created.endpoint!.id, tenant: created.endpoint!.tenant, secret: created.secret }));
        return;
      }
      console.error(`webhook ${created.endpoint!.id} for tenant ${created.endpoint!.tenant}; its signing secret below is shown once: keep it with the receiver`);
      console.log(created.secret);
    } else if (action === "list") {
      const endpoints = await client.listWebhooks(values.tenant);
      if (values.json) {
        console.log(JSON.stringify(endpoints, null, 2));
        return;
      }
      const rows = endpoints.map((e) => [e.id, e.tenant, e.url, e.events.join(","), new Date(e.createdAtMs).toISOString(), e.rotating ? "rotating" : ""]);
      console.log(textTable(["ID", "TENANT", "URL", "EVENTS", "CREATED", "SECRET"], rows));
    } else if (action === "remove") {
      if (!target) throw new CliError(USAGE, 2);
      await client.removeWebhook(target);
      console.log(`webhook ${target} removed`);
    } else if (action === "rotate") {
      if (!target) throw new CliError(USAGE, 2);
      const overlap = values["overlap-s"] === undefined ? 0 : Number(values["overlap-s"]);
      if (!Number.isInteger(overlap) || overlap < 0) throw new CliError(`--overlap-s must be a whole number of seconds (got ${values["overlap-s"]})`, 2);
      const rotated = await client.rotateWebhookSecret(target, overlap);
      if (values.json) {
        console.log(JSON.stringify({ id: target, secret: rotated.secret }));
        return;
      }
      console.error(`webhook ${target}: new secret below (shown once); the old one signs beside it for ${overlap || 86_400} s`);
      console.log(rotated.secret);
    } else if (action === "deliveries") {
      if (!target) throw new CliError(USAGE, 2);
      const limit = values.limit === undefined ? 0 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 0) throw new CliError(`--limit must be a whole number (got ${values.limit})`, 2);
      const deliveries = await client.listWebhookDeliveries(target, limit);
      if (values.json) {
        console.log(JSON.stringify(deliveries, null, 2));
        return;
      }
      const rows = deliveries.map((d) => [d.id, d.eventType, d.state, String(d.attempts), d.lastStatus ? String(d.lastStatus) : "-", d.lastError || "-", new Date(d.createdAtMs).toISOString()]);
      console.log(textTable(["ID", "EVENT", "STATE", "ATTEMPTS", "LAST STATUS", "LAST ERROR", "CREATED"], rows));
    } else if (action === "test") {
      if (!target) throw new CliError(USAGE, 2);
      console.log(`webhook.test queued for ${target} as ${await client.testWebhook(target)}`);
    } else {
      throw new CliError(USAGE, 2);
    }
  } finally {
    client.close();
  }
}
