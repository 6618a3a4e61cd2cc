import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  let text = "";
  const destination = new Writable({
    write(chunk, _encoding, done) {
      text += chunk;
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: createLogger({ level: "info", name: "test", destination }), lines, text: () => text };
}

describe("createLogger", () => {
  it("keeps tokens, passwords, secrets and authorization headers out of its lines", () => {
    const { log, lines, text } = capture();
    log.info({ token: "tok-1", authorization: "Bearer tok-2", password: "pw-3", secret: "sec-4", credentials: { id: "cred-5" } }, "top level");
    log.info({ request: { token: "tok-6", headers: "h" }, s3: { secretAccessKey: "key-7", password: "pw-8" } }, "one level down");
    log.info({ req: { headers: { authorization: "Bearer tok-9", cookie: "atelier_session=tok-10" } } }, "a request");
    expect(lines).toHaveLength(3);
    expect(text()).not.toMatch(/tok-|pw-|sec-|cred-|key-/);
    expect(lines[0]).toMatchObject({ name: "test", token: "***", authorization: "***", password: "***", credentials: "***" });
    expect(lines[1]).toMatchObject({ request: { token: "***", headers: "h" }, s3: { secretAccessKey: "***" } });
  });

  it("logs URLs without passwords or signatures, in fields and in errors, and leaves the caller's object alone", () => {
    const { log, lines, text } = capture();
    const fields = { servers: "nats://farm:hunter2@nats:4222", uploadUrl: "http://s3/b/k.png?X-Amz-Credential=AKIA&X-Amz-Signature=f00d&X-Amz-Expires=60" };
    log.info(fields, "connected");
    log.error({ err: new Error("PUT http://s3/b/k.png?X-Amz-Signature=f00d failed: postgresql://u:hunter2@db/x") }, "upload failed");
    expect(text()).not.toMatch(/hunter2|f00d|AKIA/);
    expect(lines[0]).toMatchObject({ servers: "nats://farm:***@nats:4222", uploadUrl: "http://s3/b/k.png?X-Amz-Expires=60" });
    expect((lines[1]!.err as { message: string; stack: string }).message).toBe("PUT http://s3/b/k.png failed: postgresql://u:***@db/x");
    expect(fields.servers).toBe("nats://farm:hunter2@nats:4222");
  });

  it("logs an `err` that is a message or a plain object, redacted, instead of throwing", () => {
    const { log, lines, text } = capture();
    log.warn({ err: "PUT http://s3/b/k.png?X-Amz-Signature=f00d failed" }, "item failed");
    log.warn({ err: { retryable: true } }, "item failed");
    expect(lines).toHaveLength(2);
    expect(lines[0]!.err).toBe("PUT http://s3/b/k.png failed");
    expect(lines[1]!.err).toEqual({ retryable: true });
    expect(text()).not.toMatch(/f00d/);
  });
});
