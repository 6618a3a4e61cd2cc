import { AtelierClient } from "@atelier/sdk";
import { CliError } from "./cli-error.ts";
import { tlsFiles } from "./tls-files.ts";

/**
 * The flags every client command takes: where the coordinator is, the API
 * token, the CA to trust for TLS, and a client certificate where the
 * coordinator asks for mutual TLS.
 */
export const COORDINATOR_OPTION = {
  coordinator: { type: "string" },
  token: { type: "string" },
  "tls-ca": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
} as const;

export interface ConnectFlags {
  coordinator?: string;
  token?: string;
  "tls-ca"?: string;
  "tls-cert"?: string;
  "tls-key"?: string;
}

// gRPC's UNAVAILABLE: nothing answered at the address (or it went away).
const UNAVAILABLE = 14;

export const NO_TOKEN_HELP =
  "no API token: pass --token or set $ATELIER_TOKEN. An admin creates one with `atelier tokens create --tenant NAME` " +
  "(beside `atelier up`, with its DATABASE_URL, or with an admin token); `atelier up` printed an admin token at its first start";

let address: string | undefined;

/** A client of the coordinator the flags (or $ATELIER_COORDINATOR, $ATELIER_TOKEN, $ATELIER_TLS_CA) name. */
export function connect(flags: ConnectFlags): AtelierClient {
  const token = flags.token ?? process.env.ATELIER_TOKEN;
  if (!token) throw new CliError(NO_TOKEN_HELP, 2);
  address = flags.coordinator ?? process.env.ATELIER_COORDINATOR ?? "127.0.0.1:7070";
  const tls = tlsFiles({
    ca: flags["tls-ca"] ?? process.env.ATELIER_TLS_CA,
    cert: flags["tls-cert"] ?? process.env.ATELIER_TLS_CLIENT_CERT,
    key: flags["tls-key"] ?? process.env.ATELIER_TLS_CLIENT_KEY,
  });
  return new AtelierClient(address, { token, ...(tls ? { tls } : {}) });
}

/** What to tell a user whose command found no coordinator; undefined for any other error. */
export function unreachableMessage(error: unknown): string | undefined {
  const { code, details = "" } = error as { code?: number; details?: string };
  if (address === undefined || code !== UNAVAILABLE) return undefined;
  const reason = /ECONNREFUSED/.test(details) ? "connection refused"
    : /ENOTFOUND|EAI_AGAIN|Name resolution failed/.test(details) ? "no such host"
    : /ETIMEDOUT|timed out|Deadline/i.test(details) ? "no answer"
    : details;
  return `cannot reach a coordinator at ${address} (${reason}): start one with \`atelier up\`, or name one with --coordinator HOST:PORT or $ATELIER_COORDINATOR`;
}
