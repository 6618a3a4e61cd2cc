import { parseArgs } from "node:util";
import { withAdmin } from "../admin-backend.ts";
import { CliError } from "../cli-error.ts";
import { COORDINATOR_OPTION } from "../client-options.ts";
import { textTable } from "../text-table.ts";

const USAGE = "usage: atelier tokens create --tenant T [--role user|admin] [--name LABEL] | atelier tokens list [--tenant T] [--json] | atelier tokens revoke ID";

/** Tenant API tokens: the secret is printed once, on stdout, and stored nowhere but in the caller's hands. */
export async function tokensCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { ...COORDINATOR_OPTION, tenant: { type: "string" }, role: { type: "string", default: "user" }, name: { type: "string", default: "" }, json: { type: "boolean", default: false } },
  });
  if (action === "create") {
    if (!values.tenant) throw new CliError(`--tenant is required\n${USAGE}`, 2);
    const role = values.role;
    if (role !== "user" && role !== "admin") throw new CliError(`--role must be user or admin (got ${role})`, 2);
    const created = await withAdmin(values, (admin) => admin.createToken({ tenant: values.tenant!, role, name: values.name }));
    console.error(`token ${created.id} for tenant ${created.tenant} (${created.role}); the secret below is shown once: keep it (e.g. in $ATELIER_TOKEN)`);
    console.log(created.token);
  } else if (action === "list") {
    const tokens = await withAdmin(values, (admin) => admin.listTokens(values.tenant ?? ""));
    if (values.json) {
      console.log(JSON.stringify(tokens, null, 2));
      return;
    }
    const rows = tokens.map((t) => [t.id, t.tenant, t.role, t.name, new Date(t.createdAtMs).toISOString(), t.revokedAtMs ? `revoked ${new Date(t.revokedAtMs).toISOString()}` : "live"]);
    console.log(textTable(["ID", "TENANT", "ROLE", "NAME", "CREATED", "STATE"], rows));
  } else if (action === "revoke") {
    const id = positionals[0];
    if (!id) throw new CliError(USAGE, 2);
    const revoked = await withAdmin(values, (admin) => admin.revokeToken(id));
    if (!revoked) throw new CliError(`no live token ${id}`, 1);
    console.log(`token ${id} revoked`);
  } else {
    throw new CliError(USAGE, 2);
  }
}
