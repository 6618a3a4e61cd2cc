import { randomUUID } from "node:crypto";
import { agentRegistry, batchStore, leaseStore, resultStore, tokenStore } from "@atelier/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FarmRuntime } from "../farm-runtime.ts";
import { startLoopbackRuntime } from "./testing-runtime.ts";
import type { AuditEvent } from "@atelier/dashboard/api-types";

// Who may sign in to the dashboard and what is believed about them, on a
// real embedded farm: admin API tokens and the bootstrap secret, the client
// address and scheme from trusted proxies only, the __Host- cookie and HSTS
// over HTTPS, and the audit log of what sessions did.

const BOOTSTRAP = "trust-test-bootstrap-0123456789";
// Batch ids are UUIDs, as SubmitBatch makes them.
const TO_CANCEL = randomUUID();
const TO_RERUN = randomUUID();
const settings = { model: "atelier-demo", width: 64, height: 64, steps: 4, guidance: 7, sampler: "euler" };

describe("dashboard sign-in and audit", () => {
  let farm: FarmRuntime;
  let base: string;
  let adminToken: string;
  let adminTokenId: string;
  let userToken: string;

  beforeAll(async () => {
    // The test's requests come from loopback: loopback plays the trusted proxy.
    ({ farm, base } = await startLoopbackRuntime({ ATELIER_ADMIN_TOKEN: BOOTSTRAP, ATELIER_TRUSTED_PROXIES: "127.0.0.1,::1" }));
    ({ token: adminToken, id: adminTokenId } = await tokenStore.create(farm.db, { tenantId: "ops", role: "admin", name: "dashboard" }));
    ({ token: userToken } = await tokenStore.create(farm.db, { tenantId: "studio", role: "user" }));

    // An agent to drain, a queued batch to cancel, and a batch whose two items failed, to re-run.
    await agentRegistry.upsert(farm.db, { id: "gpu-9", name: "gpu-9", gpu: "cpu", memoryBytes: 1, providers: ["cpu"], models: ["atelier-demo"], slots: 1, maxWidth: 512, maxHeight: 512, version: "t" });
    for (const id of [TO_CANCEL, TO_RERUN]) {
      await batchStore.begin(farm.db, { id, tenantId: "studio", name: id, priority: 0, defaults: settings, maxAttempts: 1 });
      await batchStore.append(farm.db, id, [0, 1].map((index) => ({ ...settings, index, prompt: `prompt ${index}`, negativePrompt: "", seed: index })));
      await batchStore.commit(farm.db, id, 2);
    }
    const lease = (await leaseStore.lease(farm.db, TO_RERUN, { models: ["atelier-demo"], maxWidth: 512, maxHeight: 512, agentId: "gpu-9", shardId: "s-rerun", maxItems: 2, leaseTtlMs: 60_000 }))!;
    for (const item of lease.items) {
      await resultStore.recordFailure(farm.db, { itemId: item.itemId, epoch: lease.epoch, agentId: "gpu-9", error: "out of memory", retryable: false });
    }
  });
  afterAll(() => farm?.close());

  const signIn = (token: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base, "sec-fetch-site": "same-origin", ...headers },
      body: JSON.stringify({ token }),
    });
  const session = async (token: string, headers: Record<string, string> = {}) => {
    const response = await signIn(token, headers);
    expect(response.status).toBe(200);
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    return { cookie: response.headers.get("set-cookie")!.split(";")[0]!, csrf: csrfToken, setCookie: response.headers.get("set-cookie")! };
  };
  const call = (method: string, path: string, as: { cookie: string; csrf: string }, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: { cookie: as.cookie, "x-csrf-token": as.csrf, origin: base, "sec-fetch-site": "same-origin", ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const audit = async (as: { cookie: string; csrf: string }, query = "") => {
    const response = await call("GET", `/api/audit${query}`, as);
    expect(response.status).toBe(200);
    return (await response.json()) as { events: AuditEvent[]; next: string | null };
  };

  it("signs in with an admin API token or the bootstrap secret, never with a user token", async () => {
    for (const token of [adminToken, BOOTSTRAP]) {
      const { cookie } = await session(token);
      expect((await fetch(`${base}/api/agents`, { headers: { cookie } })).status).toBe(200);
    }
    for (const token of [userToken, `${adminToken}x`, "atl_nothing_here"]) {
      const refused = await signIn(token, { "x-forwarded-for": "198.51.100.20" });
      expect(refused.status, token).toBe(401);
      expect(await refused.json()).toEqual({ error: "that is not an admin token" });
      expect(refused.headers.get("set-cookie")).toBeNull();
    }
  });

  it("throttles the address that a trusted proxy names, not the proxy", async () => {
    for (let n = 0; n < 10; n++) expect((await signIn("wrong", { "x-forwarded-for": "203.0.113.7" })).status).toBe(401);
    const throttled = await signIn(adminToken, { "x-forwarded-for": "203.0.113.7" });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another client behind the same proxy is not held up by the first one's guesses.
    expect((await signIn(adminToken, { "x-forwarded-for": "203.0.113.8" })).status).toBe(200);
    // A client cannot escape by naming another address: the proxy appends the real one.
    expect((await signIn(adminToken, { "x-forwarded-for": "192.0.2.1, 203.0.113.7" })).status).toBe(429);
  });

  it("over HTTPS (a trusted proxy says so) sets a __Host- cookie and sends HSTS", async () => {
    const https = { "x-forwarded-proto": "https" };
    const { setCookie, cookie } = await session(adminToken, https);
    expect(setCookie).toMatch(/^__Host-atelier_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=604800; Secure$/);
    expect(setCookie).not.toMatch(/domain=/i);
    const page = await fetch(`${base}/`, { headers: https });
    expect(page.headers.get("strict-transport-security")).toBe("max-age=31536000");
    expect((await fetch(`${base}/api/agents`, { headers: { ...https, cookie } })).status).toBe(200);
    // Over plain HTTP neither the header nor the __Host- cookie counts.
    expect((await fetch(`${base}/`)).headers.get("strict-transport-security")).toBeNull();
    expect((await fetch(`${base}/api/agents`, { headers: { cookie } })).status).toBe(401);
  });

  it("records sign-ins, cancels, drains, re-runs and sign-outs with who did them, for admins to read", async () => {
    const admin = await session(adminToken);
    const bootstrap = await session(BOOTSTRAP);
    const actor = `token:${adminTokenId}`;
    expect((await call("POST", `/api/batches/${TO_CANCEL}/cancel`, admin)).status).toBe(200);
    expect((await call("POST", "/api/agents/gpu-9/drain", bootstrap, { drain: true })).status).toBe(200);
    expect((await call("POST", `/api/batches/${TO_RERUN}/rerun-failed`, admin)).status).toBe(200);
    expect((await call("DELETE", "/api/session", bootstrap)).status).toBe(204);

    const { events } = await audit(admin, "?limit=5");
    expect(events.map(({ actor, action, target }) => ({ actor, action, target }))).toEqual([
      { actor: "bootstrap", action: "session.sign-out", target: "" },
      { actor, action: "batch.rerun", target: TO_RERUN },
      { actor: "bootstrap", action: "agent.drain", target: "gpu-9" },
      { actor, action: "batch.cancel", target: TO_CANCEL },
      { actor: "bootstrap", action: "session.sign-in", target: "" },
    ]);
    expect(events[1]!.detail).toEqual({ requeued: 2 });
    for (const event of events) expect(Math.abs(Date.now() - event.atMs)).toBeLessThan(60_000);

    // Pages back from the oldest one shown.
    const page = await audit(admin, "?limit=5");
    const older = await audit(admin, `?limit=1&before=${page.next}`);
    expect(older.events).toEqual([expect.objectContaining({ actor, action: "session.sign-in" })]);
    expect(BigInt(older.events[0]!.id)).toBeLessThan(BigInt(page.next!));
    expect((await call("GET", "/api/audit?limit=0", admin)).status).toBe(400);
    expect((await call("GET", "/api/audit?before=x", admin)).status).toBe(400);
    expect((await fetch(`${base}/api/audit`)).status).toBe(401);
  });

  it("ends a token's sessions within seconds of the token's revocation", async () => {
    const { id, token } = await tokenStore.create(farm.db, { tenantId: "ops", role: "admin", name: "short-lived" });
    const { cookie } = await session(token);
    expect((await fetch(`${base}/api/agents`, { headers: { cookie } })).status).toBe(200);
    await tokenStore.revoke(farm.db, id);
    const revokedAt = Date.now();
    await expect.poll(async () => (await fetch(`${base}/api/agents`, { headers: { cookie } })).status, { timeout: 10_000, interval: 250 }).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(7_000);
    expect((await signIn(token)).status).toBe(401);
  });
});
