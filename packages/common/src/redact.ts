// Secrets never reach a log line (ARCHITECTURE.md, trust boundaries). These
// helpers print URLs and text with their secrets taken out: the password of a
// connection string (DATABASE_URL, NATS_URL), and the signature, credential
// and session token of a presigned S3 URL. No Node APIs: the dashboard's
// browser bundle may use them too.

/** What stands in for a removed secret. */
export const REDACTED = "***";

// Query parameters that sign or authorise a request: SigV4 and SigV2 presigned
// URLs, Google's and Azure's equivalents, and passwords or tokens put in a query.
const SECRET_QUERY_PARAMS = new Set([
  "x-amz-signature",
  "x-amz-credential",
  "x-amz-security-token",
  "signature",
  "awsaccesskeyid",
  "x-goog-signature",
  "x-goog-credential",
  "sig",
  "token",
  "access_token",
  "password",
  "sslpassword",
]);

// scheme://user:password@ where no URL parser is at hand or the text does not parse.
const USERINFO_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi;
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

function isSecretParam(name: string): boolean {
  return SECRET_QUERY_PARAMS.has(name.toLowerCase());
}

/**
 * The URL without the query parameters that sign it (X-Amz-Signature,
 * X-Amz-Credential, X-Amz-Security-Token, …): where a presigned URL must be
 * logged, what is left names the object and the expiry, and cannot be used.
 * Text that is not a URL comes back as it was.
 */
export function stripPresignedQuery(url: string): string {
  const query = url.indexOf("?");
  if (query < 0) return url;
  const hash = url.indexOf("#", query);
  const end = hash < 0 ? url.length : hash;
  const kept = url
    .slice(query + 1, end)
    .split("&")
    .filter((pair) => pair !== "" && !isSecretParam(safeDecode(pair.split("=", 1)[0]!)));
  return `${url.slice(0, query)}${kept.length > 0 ? `?${kept.join("&")}` : ""}${url.slice(end)}`;
}

/**
 * A URL fit to print: a connection string's password becomes ***, and
 * signing parameters are removed (stripPresignedQuery). Takes a
 * comma-separated list as NATS_URL may be. Undefined stays undefined.
 */
export function redactUrl(url: string): string;
export function redactUrl(url: string | undefined): string | undefined;
export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  return url
    .split(",")
    .map((part) => stripPresignedQuery(part.replace(USERINFO_PASSWORD, `$1:${REDACTED}@`)))
    .join(",");
}

/** Free text (an error message, a stack) with every URL in it passed through redactUrl. */
export function redactSecrets(text: string): string {
  if (!text.includes("://")) return text;
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
