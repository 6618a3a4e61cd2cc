import { randomUUID } from "node:crypto";
import { createServer, connect as dial, type Socket } from "node:net";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { EventBus, EventBusOptions, FarmEvent } from "./event-bus.ts";
import { createInProcessBus } from "./in-process-bus.ts";
import { connectNatsBus } from "./nats-bus.ts";
import { subjects } from "./subjects.ts";

// One conformance suite for every EventBus. Negative assertions ("X did not
// arrive") never sleep: they wait for a later marker that travels the same
// ordered path, so anything that would have arrived has arrived by then.

function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name.startsWith("TCP")).length;
}

/** Opens a bus isolated from every other bus the factory opened. */
type BusFactory = (options?: EventBusOptions) => Promise<EventBus>;

function conformance(open: BusFactory): void {
  const opened: EventBus[] = [];
  async function bus(options?: EventBusOptions): Promise<EventBus> {
    const created = await open(options);
    opened.push(created);
    return created;
  }
  function collect(on: EventBus, pattern: string): FarmEvent[] {
    const events: FarmEvent[] = [];
    on.subscribe(pattern, (event) => events.push(event));
    return events;
  }
  const subjectsOf = (events: FarmEvent[]) => events.map((event) => event.subject);

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((each) => each.close()));
  });

  it("delivers the published data with subject, id and time", async () => {
    const b = await bus();
    const events = collect(b, subjects.batchProgress("b1"));
    const before = Date.now();
    await b.publish(subjects.batchProgress("b1"), { done: 3, total: 10, tags: ["a", null] });
    await vi.waitFor(() => expect(events).toHaveLength(1));
    const [event] = events;
    expect(event).toMatchObject({ subject: "atelier.batch.b1.progress", data: { done: 3, total: 10, tags: ["a", null] } });
    expect(event?.id).toEqual(expect.any(String));
    expect(event?.at).toBeGreaterThanOrEqual(before);
    expect(event?.at).toBeLessThanOrEqual(Date.now());
  });

  it("carries another system's messages as bytes, in order, on the subject as given", async () => {
    const b = await bus();
    // Unique per run: foreign subjects take no bus prefix, so this is what isolates the test.
    const subject = `store-events-${randomUUID()}`;
    const got: string[] = [];
    const subscription = b.subscribeForeign(subject, (payload) => got.push(Buffer.from(payload).toString()));
    const farmEvents = collect(b, ">");
    for (const n of [1, 2, 3]) b.publishForeign(subject, Buffer.from(`{"Records":[${n}]}`));
    await vi.waitFor(() => expect(got).toEqual(['{"Records":[1]}', '{"Records":[2]}', '{"Records":[3]}']));
    subscription.unsubscribe();
    // The marker travels the same ordered path: anything published before it has arrived.
    const marker: string[] = [];
    b.subscribeForeign(subject, (payload) => marker.push(Buffer.from(payload).toString()));
    b.publishForeign(subject, Buffer.from("after"));
    b.publishForeign(subject, Buffer.from("marker"));
    await vi.waitFor(() => expect(marker).toEqual(["after", "marker"]));
    expect(got).toHaveLength(3);
    // Foreign bytes are not farm events: a farm subscriber sees none of them.
    expect(farmEvents).toEqual([]);
  });

  it("delivers data as JSON would carry it, a fresh copy to each handler", async () => {
    const b = await bus();
    const first = collect(b, subjects.farmLoad);
    const second = collect(b, subjects.farmLoad);
    await b.publish(subjects.farmLoad, { when: new Date(0), skipped: undefined });
    await vi.waitFor(() => expect(second).toHaveLength(1));
    expect(first[0]?.data).toEqual({ when: "1970-01-01T00:00:00.000Z" });
    expect(first[0]?.data).not.toBe(second[0]?.data);
  });

  it("delivers in publish order", async () => {
    const b = await bus();
    const events = collect(b, subjects.work);
    for (let n = 0; n < 50; n++) await b.publish(subjects.work, n);
    await vi.waitFor(() => expect(events).toHaveLength(50));
    expect(events.map((event) => event.data)).toEqual([...Array(50).keys()]);
  });

  it("matches * to exactly one token and a final > to one or more", async () => {
    const b = await bus();
    const star = collect(b, "atelier.agent.*.status");
    const tail = collect(b, "atelier.agent.>");
    const all = collect(b, ">");
    for (const subject of ["atelier.agent.a1.status", "atelier.agent.a1", "atelier.agent.a1.status.extra", "atelier.agent", "atelier.farm.load"]) {
      await b.publish(subject, null);
    }
    await b.publish("marker", null);
    await vi.waitFor(() => expect(subjectsOf(all)).toContain("marker"));
    expect(subjectsOf(star)).toEqual(["atelier.agent.a1.status"]);
    expect(subjectsOf(tail)).toEqual(["atelier.agent.a1.status", "atelier.agent.a1", "atelier.agent.a1.status.extra"]);
    expect(all).toHaveLength(6);
  });

  it("stops delivering after unsubscribe, which is idempotent", async () => {
    const b = await bus();
    const dropped: FarmEvent[] = [];
    const subscription = b.subscribe(subjects.work, (event) => dropped.push(event));
    const kept = collect(b, subjects.work);
    await b.publish(subjects.work, 1);
    await vi.waitFor(() => expect(kept).toHaveLength(1));
    subscription.unsubscribe();
    subscription.unsubscribe();
    await b.publish(subjects.work, 2);
    await vi.waitFor(() => expect(kept).toHaveLength(2));
    expect(dropped.map((event) => event.data)).toEqual([1]);
  });

  it("gives every event a unique id", async () => {
    const b = await bus();
    const events = collect(b, subjects.work);
    await Promise.all(Array.from({ length: 200 }, (_, n) => b.publish(subjects.work, n)));
    await vi.waitFor(() => expect(events).toHaveLength(200));
    expect(new Set(events.map((event) => event.id)).size).toBe(200);
  });

  it("keeps a caller's id and time, so that outbox replays can be deduped", async () => {
    const b = await bus();
    const events = collect(b, subjects.work);
    await b.publish(subjects.work, "replayed", { id: "outbox-17", at: 1_700_000_000_000 });
    await vi.waitFor(() => expect(events).toHaveLength(1));
    expect(events[0]).toMatchObject({ id: "outbox-17", at: 1_700_000_000_000 });
  });

  it("isolates buses from one another", async () => {
    const [a, b] = [await bus(), await bus()];
    const seenByA = collect(a, ">");
    const seenByB = collect(b, ">");
    await a.publish(subjects.farmLoad, "from a");
    await vi.waitFor(() => expect(seenByA).toHaveLength(1));
    // Published after a's event had already been routed.
    await b.publish(subjects.farmLoad, "from b");
    await vi.waitFor(() => expect(seenByB).toHaveLength(1));
    expect(seenByA.map((event) => event.data)).toEqual(["from a"]);
    expect(seenByB.map((event) => event.data)).toEqual(["from b"]);
  });

  it("keeps delivering when a handler throws, and reports the failure", async () => {
    const failures: string[] = [];
    const b = await bus({ onDeliveryError: (error, subject) => failures.push(`${subject}: ${(error as Error).message}`) });
    b.subscribe(subjects.work, () => {
      throw new Error("handler bug");
    });
    const events = collect(b, subjects.work);
    await b.publish(subjects.work, 1);
    await b.publish(subjects.work, 2);
    await vi.waitFor(() => expect(events).toHaveLength(2));
    expect(failures).toEqual(["atelier.work: handler bug", "atelier.work: handler bug"]);
  });

  it("refuses subjects NATS would refuse", async () => {
    const b = await bus();
    await expect(b.publish("atelier.*.load", 1)).rejects.toThrow(/wildcards/);
    await expect(b.publish("atelier..load", 1)).rejects.toThrow(/non-empty/);
    await expect(b.publish("atelier.farm load", 1)).rejects.toThrow(/whitespace/);
    expect(() => b.subscribe("atelier.>.load", () => {})).toThrow(/last token/);
  });

  it("drains on close: what was published first is delivered", async () => {
    const b = await bus();
    const events = collect(b, subjects.work);
    await b.publish(subjects.work, "last words");
    await b.close();
    expect(events.map((event) => event.data)).toEqual(["last words"]);
  });

  it("closes idempotently, leaves no open sockets and refuses use afterwards", async () => {
    const b = await bus();
    const subscription = b.subscribe(subjects.work, () => {});
    await Promise.all([b.close(), b.close()]);
    await b.close();
    subscription.unsubscribe();
    // Sockets are released a moment after close resolves.
    await expect.poll(tcpHandles).toBe(0);
    await expect(b.publish(subjects.work, 1)).rejects.toThrow(/closed/);
    expect(() => b.subscribe(subjects.work, () => {})).toThrow(/closed/);
  });
}

describe("in-process event bus", () => {
  conformance(async (options) => createInProcessBus(options));
});

const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const natsFactory: BusFactory = (options) => connectNatsBus({ ...options, servers: natsUrl, prefix: `test-${randomUUID()}`, name: "atelier-event-bus-test" });

/**
 * A TCP proxy to NATS that can cut every connection and then refuse new ones
 * (accepting and closing them, so the test can see reconnect attempts).
 */
async function startNatsProxy(target: URL) {
  const sockets = new Set<Socket>();
  let refusing = false;
  let refused = 0;
  const server = createServer((client) => {
    if (refusing) {
      refused++;
      client.destroy();
      return;
    }
    const upstream = dial(Number(target.port || 4222), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `nats://127.0.0.1:${port}`,
    refusedAttempts: () => refused,
    cut() {
      refusing = true;
      for (const socket of sockets) socket.destroy();
    },
    heal() {
      refusing = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe(`NATS event bus at ${natsUrl}`, () => {
  // A missing NATS fails this suite, here as in CI: the tests never skip because a service is down.
  beforeAll(async () => {
    const probe = await connectNatsBus({ servers: natsUrl, connectTimeoutMs: 2_000 }).catch((error: Error) => {
      throw new Error(`these tests need NATS at ${natsUrl} (start nats-server -js, or set NATS_URL): ${error.message}`, { cause: error });
    });
    await probe.close();
  });

  conformance(natsFactory);

  it("accepts publishes while NATS is unreachable and delivers them after reconnecting", async () => {
    const proxy = await startNatsProxy(new URL(natsUrl));
    const b = await connectNatsBus({ servers: proxy.url, prefix: `test-${randomUUID()}` });
    try {
      const events: FarmEvent[] = [];
      b.subscribe(subjects.work, (event) => events.push(event));
      await b.publish(subjects.work, "before");
      await vi.waitFor(() => expect(events).toHaveLength(1));

      proxy.cut();
      // A refused attempt proves the client knows it is disconnected, so
      // the next publish is buffered rather than written to a dead socket.
      await vi.waitFor(() => expect(proxy.refusedAttempts()).toBeGreaterThan(0), { timeout: 10_000 });
      await expect(b.publish(subjects.work, "during")).resolves.toBeUndefined();

      proxy.heal();
      await vi.waitFor(() => expect(events.map((event) => event.data)).toEqual(["before", "during"]), { timeout: 15_000 });
    } finally {
      await b.close();
      await proxy.close();
    }
  });
});
