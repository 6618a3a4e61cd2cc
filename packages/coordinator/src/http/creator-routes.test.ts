import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FarmRuntime } from "../farm-runtime.ts";
import { startLoopbackRuntime } from "./testing-runtime.ts";

// /api/creators on a real embedded farm (PGlite, S3 server, in-process bus):
// what a request may send, what a refusal says, and that a refusal writes
// nothing. The page that uses them is test/browser/creators.test.ts.

const TOKEN = "creator-routes-admin-token-5";

describe("the creators API", () => {
  let farm: FarmRuntime;
  let base: string;
  let session: { cookie: string; csrf: string };

  beforeAll(async () => {
    ({ farm, base } = await startLoopbackRuntime({ ATELIER_ADMIN_TOKEN: TOKEN }));
    const response = await fetch(`${base}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base, "sec-fetch-site": "same-origin" },
      body: JSON.stringify({ token: TOKEN }),
    });
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    session = { cookie: response.headers.get("set-cookie")!.split(";")[0]!, csrf: csrfToken };
  });
  afterAll(() => farm?.close());

  const send = async (method: "GET" | "POST" | "DELETE", path: string, body?: unknown, csrf = session.csrf) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        cookie: session.cookie,
        origin: base,
        "sec-fetch-site": "same-origin",
        ...(csrf ? { "x-csrf-token": csrf } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const written = async () =>
    (await farm.db.query<{ creators: number; versions: number; audited: number }>(
      `SELECT (SELECT count(*)::int FROM creator) AS creators, (SELECT count(*)::int FROM creator_version) AS versions,
              (SELECT count(*)::int FROM audit_event WHERE action LIKE 'creator.%') AS audited`,
    ))[0]!;
  const ada = { tenant: "studio", displayName: "Ada", payee: "IBAN DE00 ADA", keywords: ["Ada", "ada painter"], pricePerImage: "0.5", platformShare: null };

  it("refuses a request without a session or without the CSRF token, and writes nothing", async () => {
    expect((await fetch(`${base}/api/creators?tenant=studio`)).status).toBe(401);
    expect(await send("POST", "/api/creators", ada, "")).toEqual({ status: 403, body: { error: "missing or wrong CSRF token: reload the dashboard" } });
    expect(await written()).toEqual({ creators: 0, versions: 0, audited: 0 });
  });

  it("refuses bad input naming the field and its limit, and writes nothing", async () => {
    const refusals: [unknown, string][] = [
      [{ ...ada, keywords: "ada" }, "keywords must be an array of strings"],
      [{ ...ada, pricePerImage: 0.5 }, "pricePerImage must be a decimal as a string, or null for the statement's"],
      [{ ...ada, share: "0.3" }, 'unknown field "share": the fields are tenant, displayName, payee, keywords, pricePerImage, platformShare'],
      [{ ...ada, tenant: "a b" }, 'tenant must be 1-64 letters, digits, _ or - (got "a b")'],
      [{ ...ada, displayName: "x".repeat(201) }, "displayName must be 1 to 200 characters (got 201)"],
      [{ ...ada, keywords: Array.from({ length: 51 }, (_, i) => `k${i}`) }, "at most 50 keywords and aliases per creator (got 51)"],
      [{ ...ada, platformShare: "1.5" }, "platformShare must be from 0 to 1 (got 1.5)"],
      [{ tenant: "studio", keywords: ["ada"] }, "2 problems:\ndisplayName is required\npayee is required"],
      [[ada], "the body must be a JSON object"],
    ];
    for (const [body, error] of refusals) expect(await send("POST", "/api/creators", body), error).toEqual({ status: 400, body: { error } });
    expect(await written()).toEqual({ creators: 0, versions: 0, audited: 0 });
  });

  it("adds, changes (a new version) and removes a creator, as the CLI does, audited under the admin", async () => {
    const added = await send("POST", "/api/creators", ada);
    expect(added).toMatchObject({ status: 200, body: { tenant: "studio", displayName: "Ada", keywords: ["ada", "ada painter"], pricePerImage: "0.5", platformShare: null, version: 1 } });
    const id = added.body.id as string;
    expect(await send("POST", `/api/creators/${id}`, { tenant: "studio" })).toEqual({
      status: 400, body: { error: "nothing to change: give displayName, payee, keywords, pricePerImage or platformShare" },
    });
    // Another tenant's creator is not there to change.
    expect((await send("POST", `/api/creators/${id}`, { tenant: "other", payee: "x" })).body).toEqual({ error: `tenant other has no creator ${id} (removed, or never registered)` });
    const changed = await send("POST", `/api/creators/${id}`, { tenant: "studio", pricePerImage: null, platformShare: "0.25" });
    expect(changed).toMatchObject({ status: 200, body: { id, pricePerImage: null, platformShare: "0.25", version: 2 } });
    expect((await send("GET", "/api/creators?tenant=studio")).body).toEqual({ tenant: "studio", creators: [changed.body] });
    expect(await send("DELETE", `/api/creators/${id}?tenant=studio`)).toEqual({ status: 200, body: { id, tenant: "studio" } });
    expect((await send("DELETE", `/api/creators/${id}?tenant=studio`)).status).toBe(400);
    expect((await send("GET", "/api/creators?tenant=studio")).body).toEqual({ tenant: "studio", creators: [] });
    expect(await farm.db.query(`SELECT actor, action, target FROM audit_event WHERE action LIKE 'creator.%' ORDER BY id`)).toEqual(
      ["creator.add", "creator.update", "creator.remove"].map((action) => ({ actor: "bootstrap", action, target: id })));
  });
});
