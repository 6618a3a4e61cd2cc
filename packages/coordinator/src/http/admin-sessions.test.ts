import { describe, expect, it } from "vitest";
import { AdminSessions } from "./admin-sessions.ts";
import { LoginThrottle } from "./login-throttle.ts";

const ADMIN = { actor: "bootstrap" };

describe("admin sessions", () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it("end after the idle timeout, and after the maximum age however busy", () => {
    const time = clock();
    const sessions = new AdminSessions({ idleTimeoutMs: 1_000, maxAgeMs: 5_000, maxSessions: 10, now: time.now });
    const idle = sessions.create(ADMIN);
    const busy = sessions.create(ADMIN);
    for (let n = 0; n < 4; n++) {
      time.advance(900);
      expect(sessions.use(busy.id)).toBe(busy);
    }
    expect(sessions.use(idle.id)).toBeUndefined();
    time.advance(1_400);
    expect(sessions.isLive(busy.id)).toBe(false);
    expect(sessions.use(busy.id)).toBeUndefined();
  });

  it("rotate: a new id at every sign-in, and the presented one ends", () => {
    const sessions = new AdminSessions({ idleTimeoutMs: 1_000, maxAgeMs: 5_000, maxSessions: 10 });
    const planted = sessions.create(ADMIN);
    const signedIn = sessions.create(ADMIN, planted.id);
    expect(signedIn.id).not.toBe(planted.id);
    expect(sessions.use(planted.id)).toBeUndefined();
    expect(sessions.size).toBe(1);
  });

  it("evict the least recently used past the cap", () => {
    const sessions = new AdminSessions({ idleTimeoutMs: 60_000, maxAgeMs: 60_000, maxSessions: 2 });
    const [a, b] = [sessions.create(ADMIN), sessions.create(ADMIN)];
    sessions.use(a.id);
    const c = sessions.create(ADMIN);
    expect([a, b, c].map((s) => sessions.isLive(s.id))).toEqual([true, false, true]);
  });
});

describe("login throttle", () => {
  it("refuses an address after too many failures until the oldest leaves the window", () => {
    let now = 0;
    const throttle = new LoginThrottle({ maxFailures: 3, windowMs: 1_000, maxAddresses: 10, now: () => now });
    for (let n = 0; n < 3; n++) {
      expect(throttle.retryAfterMs("a")).toBe(0);
      throttle.fail("a");
      now += 100;
    }
    expect(throttle.retryAfterMs("a")).toBe(700);
    expect(throttle.retryAfterMs("b")).toBe(0);
    now += 700;
    expect(throttle.retryAfterMs("a")).toBe(0);
    throttle.fail("a");
    throttle.succeed("a");
    expect(throttle.retryAfterMs("a")).toBe(0);
  });
});
