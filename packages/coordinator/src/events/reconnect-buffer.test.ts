import { describe, expect, it } from "vitest";
import { createReconnectBuffer, type PendingPublish } from "./reconnect-buffer.ts";

const publish = (subject: string, bytes: number): PendingPublish => ({ subject, payload: new Uint8Array(bytes) });

describe("reconnect buffer", () => {
  it("drains in publish order and empties", () => {
    const buffer = createReconnectBuffer(100, () => {});
    buffer.push(publish("a", 10));
    buffer.push(publish("b", 10));
    const sent: string[] = [];
    buffer.drain((each) => sent.push(each.subject));
    expect(sent).toEqual(["a", "b"]);
    expect(buffer.size).toBe(0);
  });

  it("drops the oldest once over its byte limit", () => {
    const dropped: string[] = [];
    const buffer = createReconnectBuffer(25, (each) => dropped.push(each.subject));
    for (const subject of ["a", "b", "c"]) buffer.push(publish(subject, 10));
    expect(dropped).toEqual(["a"]);
    const sent: string[] = [];
    buffer.drain((each) => sent.push(each.subject));
    expect(sent).toEqual(["b", "c"]);
  });
});
