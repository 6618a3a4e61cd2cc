import { describe, expect, it } from "vitest";
import { LeaseBook } from "./lease-book.ts";

describe("LeaseBook", () => {
  let now = 0;
  const book = () => new LeaseBook(() => now);

  it("self-fences a lease not renewed within its TTL minus the margin, aborting its work", () => {
    now = 0;
    const leases = book();
    const signal = leases.hold("s1", 7, 30_000);
    now = 24_999;
    expect(leases.fenceExpired()).toEqual([]);
    now = 25_001; // 30 s TTL - 5 s margin
    expect(leases.fenceExpired()).toEqual(["s1"]);
    expect(signal.aborted).toBe(true);
    expect(leases.isLive("s1")).toBe(false);
  });

  it("counts a renewal from when the heartbeat was sent, and drops leases the coordinator did not renew", () => {
    now = 0;
    const leases = book();
    leases.hold("a", 1, 2_000);
    const lost = leases.hold("b", 2, 2_000);
    now = 1_000;
    const asked = leases.list();
    now = 1_400; // the ack arrives later; the renewal counts from 1_000
    expect(leases.renewed(asked, [{ shardId: "a", epoch: 1 }], 1_000)).toEqual(["b"]);
    expect(lost.aborted).toBe(true);
    now = 2_499;
    expect(leases.fenceExpired()).toEqual([]);
    now = 2_501; // 1_000 + 2_000 - 500 (margin is a quarter of a short TTL)
    expect(leases.fenceExpired()).toEqual(["a"]);
  });

  it("ignores an ack for an older epoch of a shard it holds again", () => {
    now = 0;
    const leases = book();
    leases.hold("s", 5, 10_000);
    expect(leases.renewed([{ shardId: "s", epoch: 4 }], [], 0)).toEqual([]);
    expect(leases.isLive("s")).toBe(true);
    expect(leases.epochOf("s")).toBe(5);
  });
});
