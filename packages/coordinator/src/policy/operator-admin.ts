import { openOperatorDatabase } from "../local-admin.ts";
import { creatorAdmin } from "./creator-admin.ts";
import { policyAdmin } from "./policy-admin.ts";

/**
 * Creators, royalty statements and content policy straight on the database,
 * for an operator beside `atelier up` with the same DATABASE_URL. Acts are
 * audited as `local`.
 */
export async function openOperatorAdmin(databaseUrl: string) {
  const db = await openOperatorDatabase(databaseUrl);
  return { creators: creatorAdmin(db, "local"), policy: policyAdmin(db, "local"), close: () => db.close() };
}

export type OperatorAdmin = Awaited<ReturnType<typeof openOperatorAdmin>>;
