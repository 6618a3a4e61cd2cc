import * as grpc from "@grpc/grpc-js";

/** How a client proves who it is and checks whom it talks to. */
export interface ClientSecurity {
  /** Sent on every call as `authorization: Bearer <token>`: a tenant's API token or an agent's credential. */
  token?: string;
  /** TLS to the coordinator: `ca` (PEM) to trust a private CA, `cert` + `key` (PEM) for mutual TLS. Unset: plaintext. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

/**
 * The channel credentials and client options for a coordinator. The token
 * travels as call metadata through an interceptor rather than as gRPC call
 * credentials, which grpc-js sends only over TLS: a farm on a private
 * network may run plaintext, and the token must still go.
 */
export function clientChannel(security: ClientSecurity): { credentials: grpc.ChannelCredentials; options: Pick<grpc.ClientOptions, "interceptors"> } {
  const { tls, token } = security;
  const credentials = tls ? grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null) : grpc.credentials.createInsecure();
  if (!token) return { credentials, options: {} };
  const header = `Bearer ${token}`;
  const withToken: grpc.Interceptor = (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set("authorization", header);
        next(metadata, listener);
      },
    });
  return { credentials, options: { interceptors: [withToken] } };
}
