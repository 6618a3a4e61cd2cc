import type * as grpc from "@grpc/grpc-js";
import type { FarmHandlers } from "@atelier/protocol";
import type { FarmImpl } from "../farm-service.ts";
import type { Authenticator, Caller } from "./authenticator.ts";

type AnyCall = { metadata: grpc.Metadata; emit(event: "error", error: grpc.ServiceError): boolean };
type AnyHandler = (caller: Caller, call: AnyCall, callback?: (error: grpc.ServiceError | null) => void) => void;

/**
 * The one place where a Farm call is authenticated: each handler runs only
 * once the bearer token in the call's metadata names a live token, with the
 * caller it names; without one the call ends UNAUTHENTICATED before the
 * handler sees anything. Messages a client streams meanwhile wait in the
 * call's buffer.
 */
export function guardFarm(impl: FarmImpl, auth: Authenticator, fail: (error: unknown) => grpc.ServiceError): FarmHandlers {
  const guarded: Record<string, (call: AnyCall, callback?: (error: grpc.ServiceError | null) => void) => void> = {};
  for (const [name, handler] of Object.entries(impl) as [string, AnyHandler][]) {
    guarded[name] = (call, callback) => {
      auth.tenant(call.metadata).then(
        (caller) => handler(caller, call, callback),
        (error: unknown) => (callback ? callback(fail(error)) : call.emit("error", fail(error))),
      );
    };
  }
  return guarded as unknown as FarmHandlers;
}

/**
 * The Farm API as the dashboard calls it in-process: its sessions belong to
 * admins (signed in with an admin token or the bootstrap secret).
 */
export function asCaller(impl: FarmImpl, caller: Caller): FarmHandlers {
  const bound: Record<string, (...args: unknown[]) => void> = {};
  for (const [name, handler] of Object.entries(impl) as [string, (caller: Caller, ...args: unknown[]) => void][]) {
    bound[name] = (...args) => handler(caller, ...args);
  }
  return bound as unknown as FarmHandlers;
}
