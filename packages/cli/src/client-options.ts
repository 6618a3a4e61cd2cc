import { AtelierClient } from "@atelier/sdk";

export const COORDINATOR_OPTION = { coordinator: { type: "string" } } as const;

export function connect(coordinator: string | undefined): AtelierClient {
  return new AtelierClient(coordinator ?? process.env.ATELIER_COORDINATOR ?? "127.0.0.1:7070");
}
