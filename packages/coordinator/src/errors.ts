import * as grpc from "@grpc/grpc-js";
import { DatabaseBusyError } from "@atelier/db";

/** How long a client told that the database is busy should wait before trying again. */
export const BUSY_RETRY_AFTER_MS = 1_000;

/** Bad input from a client. The message names the field and the limit. */
export class ValidationError extends Error {
  override name = "ValidationError";
  constructor(readonly problems: string[], options?: ErrorOptions) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n${problems.join("\n")}`, options);
  }
}

export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** The request is valid but the farm cannot serve it as asked. */
export class CapacityError extends Error {
  override name = "CapacityError";
}

/** No credential, or one that is malformed, unknown or revoked. Says nothing about which. */
export class UnauthenticatedError extends Error {
  override name = "UnauthenticatedError";
}

/** A valid caller asked for something its role may not do. */
export class PermissionDeniedError extends Error {
  override name = "PermissionDeniedError";
}

/** A caller went past a quota or a rate: it may come back later with less. */
export class QuotaError extends Error {
  override name = "QuotaError";
}

/** A client stream went quiet for longer than the coordinator waits. */
export class IdleStreamError extends Error {
  override name = "IdleStreamError";
}

/**
 * The one place where errors become gRPC statuses. Known errors keep their
 * message; anything else is logged once and returned as INTERNAL without
 * internals.
 */
export function toGrpcError(error: unknown, log: (error: unknown) => void): grpc.ServiceError {
  const status = (code: grpc.status, details: string) =>
    Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() }) as grpc.ServiceError;
  if (error instanceof ValidationError) return status(grpc.status.INVALID_ARGUMENT, error.message);
  if (error instanceof NotFoundError) return status(grpc.status.NOT_FOUND, error.message);
  if (error instanceof CapacityError) return status(grpc.status.FAILED_PRECONDITION, error.message);
  if (error instanceof UnauthenticatedError) return status(grpc.status.UNAUTHENTICATED, error.message);
  if (error instanceof PermissionDeniedError) return status(grpc.status.PERMISSION_DENIED, error.message);
  if (error instanceof QuotaError) return status(grpc.status.RESOURCE_EXHAUSTED, error.message);
  if (error instanceof IdleStreamError) return status(grpc.status.DEADLINE_EXCEEDED, error.message);
  if (error instanceof DatabaseBusyError) {
    // UNAVAILABLE is gRPC's "try again"; the pushback says when (gRPC's retry policy reads it).
    const busy = status(grpc.status.UNAVAILABLE, `${error.message}; retry in ${BUSY_RETRY_AFTER_MS / 1000} s`);
    busy.metadata.set("grpc-retry-pushback-ms", String(BUSY_RETRY_AFTER_MS));
    return busy;
  }
  log(error);
  return status(grpc.status.INTERNAL, "internal error; the coordinator's log has the details");
}

/** A status that tells the client to come back later (retry, reconnect). */
export function unavailable(details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code: grpc.status.UNAVAILABLE, details, metadata: new grpc.Metadata() }) as grpc.ServiceError;
}
