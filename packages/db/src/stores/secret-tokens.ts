import { createHash, randomBytes } from "node:crypto";

/**
 * Bearer secrets: `<prefix>_<id>_<secret>`. The id names the row (it may be
 * shown, logged and listed); the secret is 32 random bytes and only its
 * sha256 is stored. A fast hash is enough for 256 random bits: nothing can
 * be guessed from it, and a slow one would cost every uncached call.
 */
export type TokenKind = "atl" | "atla";

export function mintToken(kind: TokenKind): { id: string; token: string; hash: string } {
  const id = randomBytes(6).toString("hex");
  const token = `${kind}_${id}_${randomBytes(32).toString("base64url")}`;
  return { id, token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The id a well-formed token names, or undefined: a malformed token costs no query. */
export function tokenId(kind: TokenKind, token: string): string | undefined {
  const match = new RegExp(`^${kind}_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$`).exec(token);
  return match?.[1];
}
