import * as grpc from "@grpc/grpc-js";
import { BUSY_RETRY_AFTER_MS } from "../errors.ts";
import { HttpError } from "./http-io.ts";

const HTTP_STATUS: Partial<Record<grpc.status, number>> = {
  [grpc.status.INVALID_ARGUMENT]: 400,
  [grpc.status.NOT_FOUND]: 404,
  [grpc.status.FAILED_PRECONDITION]: 409,
  [grpc.status.PERMISSION_DENIED]: 403,
  [grpc.status.UNAVAILABLE]: 503,
};

/**
 * Calls a Farm handler in this process, as the CLI would over the network,
 * so that the dashboard's cancel and drain are exactly the API's. A gRPC
 * error becomes an HttpError with the same message (INTERNAL's carries no
 * internals).
 */
export function callUnary<Req, Res>(handler: grpc.handleUnaryCall<Req, Res>, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    const call = { request, metadata: new grpc.Metadata(), cancelled: false, getPeer: () => "dashboard" };
    handler(call as unknown as grpc.ServerUnaryCall<Req, Res>, (error, value) => {
      if (!error) return resolve(value as Res);
      const { code = grpc.status.INTERNAL, details = "internal error" } = error as Partial<grpc.ServiceError>;
      const retryAfter: Record<string, string> = code === grpc.status.UNAVAILABLE ? { "retry-after": String(BUSY_RETRY_AFTER_MS / 1000) } : {};
      reject(new HttpError(HTTP_STATUS[code] ?? 500, details, retryAfter));
    });
  });
}
