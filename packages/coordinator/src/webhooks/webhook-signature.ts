import { createHmac, randomBytes } from "node:crypto";

// Standard Webhooks signatures (standardwebhooks.com, spec "Verifying
// webhook authenticity"): HMAC-SHA256 keyed with the secret's bytes (the
// base64 after "whsec_") over "<webhook-id>.<webhook-timestamp>.<body>",
// sent as "v1,<base64>"; several signatures, space-separated, while a
// rotated secret overlaps the new one.

const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 32;

/** A new endpoint secret, whsec_ and 32 random bytes in base64, as Standard Webhooks' libraries expect. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString("base64");
}

function keyOf(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error("a webhook secret starts with whsec_");
  return Buffer.from(secret.slice(SECRET_PREFIX.length), "base64");
}

/** The webhook-signature header for a message, one "v1,<base64>" per secret. */
export function signWebhook(secrets: readonly string[], msgId: string, timestampSec: number, body: string): string {
  return secrets.map((secret) => `v1,${createHmac("sha256", keyOf(secret)).update(`${msgId}.${timestampSec}.${body}`).digest("base64")}`).join(" ");
}

/** The three headers of one attempt, and the content type. */
export function webhookHeaders(secrets: readonly string[], msgId: string, timestampSec: number, body: string): Record<string, string> {
  return {
    "content-type": "application/json",
    "webhook-id": msgId,
    "webhook-timestamp": String(timestampSec),
    "webhook-signature": signWebhook(secrets, msgId, timestampSec, body),
  };
}
