import { migrate, openDatabase } from "@atelier/db";
import { creatorAdmin } from "./creator-admin.ts";
import { policyAdmin } from "./policy-admin.ts";

/**
 * Creators, royalty statements and content policy straight on the database,
 * for an operator beside `atelier up` with the same DATABASE_URL. Acts are
 * audited as `local`.
 */
export async function openOperatorAdmin(databaseUrl: string) {
  const db = await openDatabase({ url: databaseUrl, poolSize: 2 });
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return { creators: creatorAdmin(db, "local"), policy: policyAdmin(db, "local"), close: () => db.close() };
}

export type OperatorAdmin = Awaited<ReturnType<typeof openOperatorAdmin>>;
