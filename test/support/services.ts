import { connect } from "nats";

export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

/**
 * The NATS server the tests use. Missing NATS fails the test with a clear
 * message: tests never skip silently because a service is down.
 */
export async function natsUrl(): Promise<string> {
  const url = process.env.NATS_URL ?? DEFAULT_NATS_URL;
  try {
    const connection = await connect({ servers: url, timeout: 3_000, reconnect: false });
    await connection.close();
  } catch (error) {
    throw new Error(`tests need NATS at ${url} (set NATS_URL; .ci/run starts one): ${(error as Error).message}`);
  }
  return url;
}
