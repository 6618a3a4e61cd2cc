import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, describe, expect, it } from "vitest";
import { createUrlPresigner } from "./url-presigner.ts";

// The fast presigner must produce exactly the URL the SDK's getSignedUrl
// would, for the endpoints we serve: path-style (s3rver, MinIO) and AWS.
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const signingDate = new Date("2026-11-25T12:34:56Z");
const keys = ["studio/5b1e0c2a-9f1d-4d57-9c1a-2d7e7b7f0a11/00000042-123456.png", "a b/c+d/e(f)!'*~ü.png", "x"];

const clients = {
  "path-style endpoint": new S3Client({ endpoint: "http://127.0.0.1:4569", region: "us-east-1", forcePathStyle: true, credentials }),
  "AWS virtual-hosted": new S3Client({ region: "eu-west-1", forcePathStyle: false, credentials }),
};

describe.each(Object.entries(clients))("createUrlPresigner, %s", (_name, client) => {
  afterAll(() => client.destroy());
  const presign = createUrlPresigner(client, "atelier-bucket", credentials);

  it.each(keys)("signs %s exactly as getSignedUrl does, with and without a length", async (key) => {
    for (const contentLength of [undefined, 1234]) {
      const signableHeaders = new Set(["content-type", "if-none-match", ...(contentLength === undefined ? [] : ["content-length"])]);
      const command = new PutObjectCommand({ Bucket: "atelier-bucket", Key: key, ContentType: "image/png", ContentLength: contentLength, IfNoneMatch: "*" });
      const expected = await getSignedUrl(client, command, { expiresIn: 900, signableHeaders, signingDate });
      expect(await presign({ method: "PUT", key, contentType: "image/png", expiresInSeconds: 900, contentLength, signingDate })).toBe(expected);
    }
  });

  it.each(keys)("signs a HEAD of %s exactly as getSignedUrl does", async (key) => {
    const expected = await getSignedUrl(client, new HeadObjectCommand({ Bucket: "atelier-bucket", Key: key }), { expiresIn: 60, signingDate });
    expect(await presign({ method: "HEAD", key, expiresInSeconds: 60, signingDate })).toBe(expected);
  });

  it.each(keys)("signs a GET of %s (the verifying ranged read) exactly as getSignedUrl does, on two days", async (key) => {
    for (const date of [signingDate, new Date("2026-11-26T00:00:01Z")]) {
      const expected = await getSignedUrl(client, new GetObjectCommand({ Bucket: "atelier-bucket", Key: key }), { expiresIn: 60, signingDate: date });
      expect(await presign({ method: "GET", key, expiresInSeconds: 60, signingDate: date })).toBe(expected);
    }
  });
});
