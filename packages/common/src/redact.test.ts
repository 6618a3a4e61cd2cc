import { describe, expect, it } from "vitest";
import { redactSecrets, redactUrl, stripPresignedQuery } from "./redact.ts";

const PRESIGNED =
  "http://127.0.0.1:9000/atelier/studio/b1/00000003-7.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD" +
  "&X-Amz-Credential=S3RVER%2F20261201%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261201T000000Z&X-Amz-Expires=900" +
  "&X-Amz-Security-Token=FQoGZXIvYXdzE&X-Amz-Signature=0f1e2d3c4b5a&X-Amz-SignedHeaders=host%3Bif-none-match&x-id=PutObject";

describe("redactUrl", () => {
  it("prints connection strings without their passwords", () => {
    expect(redactUrl("postgresql://atelier:s3cr%40t@db.internal:5432/farm?sslmode=require")).toBe("postgresql://atelier:***@db.internal:5432/farm?sslmode=require");
    expect(redactUrl("nats://farm:hunter2@nats-1:4222,nats://farm:hunter2@nats-2:4222")).toBe("nats://farm:***@nats-1:4222,nats://farm:***@nats-2:4222");
    expect(redactUrl("postgres://localhost/db?password=hunter2&sslpassword=x&application_name=a")).toBe("postgres://localhost/db?application_name=a");
  });

  it("leaves URLs without secrets as they were", () => {
    for (const url of ["nats://127.0.0.1:4222", "postgresql://postgres@127.0.0.1:5432/postgres", "http://h/k?a=1&b=2#f", "not a url"]) {
      expect(redactUrl(url)).toBe(url);
    }
    expect(redactUrl(undefined)).toBeUndefined();
  });

  it("takes the signature, credential and token out of a presigned URL, keeping what names the object and its expiry", () => {
    const stripped = redactUrl(PRESIGNED);
    expect(stripped).toBe(
      "http://127.0.0.1:9000/atelier/studio/b1/00000003-7.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD" +
        "&X-Amz-Date=20261201T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host%3Bif-none-match&x-id=PutObject",
    );
    expect(stripPresignedQuery("https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKIA&Signature=abc&Expires=1")).toBe("https://b.s3.amazonaws.com/k?Expires=1");
    expect(stripPresignedQuery("https://h/k?X-Amz-Signature=abc")).toBe("https://h/k");
  });
});

describe("redactSecrets", () => {
  it("redacts every URL inside free text, such as an error message", () => {
    const message = `PUT ${PRESIGNED} failed; database postgresql://u:pw@db/x unreachable`;
    const redacted = redactSecrets(message);
    expect(redacted).not.toMatch(/X-Amz-Signature|X-Amz-Credential|FQoGZXIvYXdzE|:pw@/);
    expect(redacted).toContain("postgresql://u:***@db/x unreachable");
    expect(redacted).toContain("00000003-7.png?X-Amz-Algorithm=");
  });
});
