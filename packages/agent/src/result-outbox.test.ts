import { describe, expect, it } from "vitest";
import { ResultOutbox } from "./result-outbox.ts";

const result = (itemId: string, shardId = "s1", epoch = 7) => ({ shardId, epoch, itemId, key: `k${itemId}`, sha256: "0".repeat(64), bytes: 1 });
const ids = (results: { itemId?: string }[]) => results.map((r) => r.itemId);

describe("ResultOutbox", () => {
  it("sends at once while the window has room, then batches until an ack", () => {
    const outbox = new ResultOutbox();
    const send = () => ids(outbox.takeMessage({ window: 2, maxResults: 3 }));
    outbox.add(result("1"));
    expect(send()).toEqual(["1"]);
    outbox.add(result("2"));
    expect(send()).toEqual(["2"]);
    for (const id of ["3", "4", "5", "6"]) outbox.add(result(id));
    expect(send()).toEqual([]); // two messages await acks
    outbox.messageAcknowledged();
    expect(send()).toEqual(["3", "4", "5"]);
    expect(ids(outbox.takeMessage({ window: Infinity, maxResults: 3 }))).toEqual(["6"]);
  });

  it("counts what each shard still waits for, and sends every unacknowledged result again after a reconnect", () => {
    const outbox = new ResultOutbox();
    for (const id of ["1", "2"]) outbox.add(result(id));
    outbox.add(result("3", "s2"));
    outbox.takeMessage({ window: 1, maxResults: 10 });
    expect(outbox.acknowledge("1", 7)).toBe("s1");
    expect(outbox.acknowledge("1", 7)).toBeUndefined();
    expect(outbox.acknowledge("2", 8)).toBeUndefined(); // another epoch: not this result
    expect([outbox.pendingFor("s1"), outbox.pendingFor("s2"), outbox.size]).toEqual([1, 1, 2]);
    outbox.resendAll();
    expect(ids(outbox.takeMessage({ window: 1, maxResults: 10 }))).toEqual(["2", "3"]);
  });
});
