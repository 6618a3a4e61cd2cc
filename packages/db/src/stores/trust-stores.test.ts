import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../open-database.ts";
import { DATABASE_BACKENDS } from "../testing.ts";
import { agentCredentials } from "./agent-credentials.ts";
import { auditStore } from "./audit-store.ts";
import { tokenStore } from "./token-store.ts";

describe.each(DATABASE_BACKENDS)("tokens, credentials and audit on %s", (_name, open) => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await open()));
  afterAll(() => close());

  it("stores only a hash; verifies the token, refuses a changed or revoked one", async () => {
    const { id, token } = await tokenStore.create(db, { tenantId: "studio-a", role: "user", name: "ci" });
    expect(token).toMatch(new RegExp(`^atl_${id}_[A-Za-z0-9_-]{43}$`));
    const stored = await db.query<{ token_hash: string }>(`SELECT token_hash FROM api_token WHERE id = $1`, [id]);
    expect(stored[0]!.token_hash).not.toContain(token.slice(17));
    expect(await tokenStore.verify(db, token)).toEqual({ id, tenantId: "studio-a", role: "user", name: "ci" });
    const flipped = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    expect(await tokenStore.verify(db, flipped)).toBeNull();
    expect(await tokenStore.verify(db, "")).toBeNull();
    expect(await tokenStore.revoke(db, id)).toBe(true);
    expect(await tokenStore.revoke(db, id)).toBe(false);
    expect(await tokenStore.verify(db, token)).toBeNull();
    expect((await tokenStore.list(db, { tenantId: "studio-a" })).map((t) => [t.id, t.revokedAt !== null])).toEqual([[id, true]]);
  });

  it("knows whether a live admin token exists", async () => {
    expect(await tokenStore.hasLiveAdmin(db)).toBe(false);
    const admin = await tokenStore.create(db, { tenantId: "ops", role: "admin" });
    expect(await tokenStore.hasLiveAdmin(db)).toBe(true);
    await tokenStore.revoke(db, admin.id);
    expect(await tokenStore.hasLiveAdmin(db)).toBe(false);
  });

  it("binds an agent id to its credential; one live credential per id", async () => {
    const { credential } = await agentCredentials.enroll(db, { agentId: "gpu-01", pool: "a100" });
    expect(await agentCredentials.verify(db, credential)).toMatchObject({ agentId: "gpu-01", pool: "a100" });
    await expect(agentCredentials.enroll(db, { agentId: "gpu-01" })).rejects.toThrow(/already enrolled/);
    expect(await agentCredentials.verify(db, credential.replace(/^atla/, "atl"))).toBeNull();
    expect(await agentCredentials.revoke(db, "gpu-01")).toBe(1);
    expect(await agentCredentials.verify(db, credential)).toBeNull();
    const again = await agentCredentials.enroll(db, { agentId: "gpu-01" });
    expect(await agentCredentials.verify(db, again.credential)).toMatchObject({ agentId: "gpu-01" });
  });

  it("keeps an audit log, newest first", async () => {
    await auditStore.record(db, { actor: "local", action: "token.create", target: "t1" });
    await auditStore.record(db, { actor: "token:abc", action: "batch.cancel", target: "b1", detail: { shards: 2 } });
    const rows = await auditStore.list(db, { limit: 10 });
    expect(rows.map((r) => [r.actor, r.action, r.target])).toEqual([["token:abc", "batch.cancel", "b1"], ["local", "token.create", "t1"]]);
    expect(rows[0]!.detail).toEqual({ shards: 2 });
    expect(await auditStore.list(db, { limit: 10, before: rows[0]!.id })).toHaveLength(1);
  });
});
