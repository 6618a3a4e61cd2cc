import { AtelierClient } from "@atelier/sdk";

export const COORDINATOR_OPTION = { coordinator: { type: "string" } } as const;

// gRPC's UNAVAILABLE: nothing answered at the address (or it went away).
const UNAVAILABLE = 14;

let address: string | undefined;

export function connect(coordinator: string | undefined): AtelierClient {
  address = coordinator ?? process.env.ATELIER_COORDINATOR ?? "127.0.0.1:7070";
  return new AtelierClient(address);
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
