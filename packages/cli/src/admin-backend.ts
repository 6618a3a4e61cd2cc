import { connect, type ConnectFlags } from "./client-options.ts";

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
