import type { OperatorAdmin } from "@atelier/coordinator";
import { CliError } from "./cli-error.ts";
import { connect, type ConnectFlags } from "./client-options.ts";

export type { CreatorInput, OperatorAdmin } from "@atelier/coordinator";

/** Token and enrollment administration, the same over the database or the API. */
export interface AdminBackend {
  createToken(request: { tenant: string; role: "user" | "admin"; name: string }): Promise<{ id: string; token: string; tenant: string; role: string }>;
  listTokens(tenant: string): Promise<{ id: string; tenant: string; role: string; name: string; createdAtMs: number; revokedAtMs: number }[]>;
  revokeToken(id: string): Promise<boolean>;
  enrollAgent(name: string, pool: string): Promise<{ agentId: string; credentialId: string; credential: string }>;
  revokeAgent(name: string): Promise<number>;
}

/**
 * Runs `work` with direct database access when DATABASE_URL is set (an
 * operator beside `atelier up`, same configuration), or else through the
 * coordinator with an admin token.
 */
export async function withAdmin<T>(flags: ConnectFlags, work: (admin: AdminBackend) => Promise<T>): Promise<T> {
  const url = process.env.DATABASE_URL;
  if (url) {
    // Loaded only here: a client command without DATABASE_URL never loads the coordinator, pg or Prisma.
    const { openLocalAdmin } = await import("@atelier/coordinator");
    const local = await openLocalAdmin(url);
    try {
      return await work(local);
    } finally {
      await local.close();
    }
  }
  const client = connect(flags);
  try {
    return await work({
      createToken: (request) => client.createToken(request),
      listTokens: (tenant) => client.listTokens(tenant).then((tokens) => tokens.map((t) => ({ ...t, createdAtMs: Number(t.createdAtMs), revokedAtMs: Number(t.revokedAtMs) }))),
      revokeToken: (id) => client.revokeToken(id),
      enrollAgent: (name, pool) => client.enrollAgent(name, pool),
      revokeAgent: (name) => client.revokeAgent(name),
    });
  } finally {
    client.close();
  }
}

/**
 * Runs `work` on the database DATABASE_URL names: creators, royalties and
 * content policy are operator commands, run beside `atelier up` with its configuration.
 */
export async function withOperator<T>(command: string, work: (operator: OperatorAdmin) => Promise<T>): Promise<T> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new CliError(`atelier ${command} works on the farm's database: set DATABASE_URL as for \`atelier up\``, 2);
  const { openOperatorAdmin } = await import("@atelier/coordinator");
  const operator = await openOperatorAdmin(url);
  try {
    return await work(operator);
  } catch (error) {
    // Bad input (a flag out of its limits, terms a statement lacks): the message says which, and nothing changed.
    if (error instanceof Error && (error.name === "ValidationError" || error.name === "MissingTermsError")) throw new CliError(error.message, 2);
    throw error;
  } finally {
    await operator.close();
  }
}
