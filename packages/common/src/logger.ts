import { pino, stdSerializers, type DestinationStream, type Logger as PinoLogger } from "pino";
import { REDACTED, redactSecrets } from "./redact.ts";

export type Logger = PinoLogger;

/**
 * Fields that hold secrets, at the top of a log line or one level down
 * (`{ headers: { authorization } }`, `{ config: { password } }`): pino
 * replaces their values before the line is written.
 */
export const REDACTED_LOG_PATHS = [
  "authorization",
  "*.authorization",
  "req.headers.authorization",
  "cookie",
  "*.cookie",
  "req.headers.cookie",
  "token",
  "*.token",
  "adminToken",
  "*.adminToken",
  "secret",
  "*.secret",
  "secretAccessKey",
  "*.secretAccessKey",
  "password",
  "*.password",
  "credentials",
  "*.credentials",
];

export interface LoggerOptions {
  /** pino's level: fatal, error, warn, info, debug, trace or silent. */
  level: string;
  /** Every line carries it: "coordinator", "agent", … */
  name: string;
  /** Where lines go; stdout unless given (tests and benchmarks pass stderr or a buffer). */
  destination?: DestinationStream;
}

/**
 * Structured JSON logs with secrets kept out: the fields named in
 * REDACTED_LOG_PATHS, and the passwords and signatures of URLs found in
 * top-level strings and in errors (redactSecrets).
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      redact: { paths: REDACTED_LOG_PATHS, censor: REDACTED },
      serializers: {
        err: (error: unknown) => {
          // `err` is sometimes a message (`{ err: error.message }`) or a plain object: never let logging throw.
          if (typeof error === "string") return redactSecrets(error);
          if (typeof error !== "object" || error === null) return error;
          const serialized = stdSerializers.err(error as Error);
          if (typeof serialized.message === "string") serialized.message = redactSecrets(serialized.message);
          if (typeof serialized.stack === "string") serialized.stack = redactSecrets(serialized.stack);
          return serialized;
        },
      },
      formatters: {
        // A URL logged as a plain field (an endpoint, a server list, an upload URL).
        // The caller's object is left as it was: a copy is made only when something changes.
        log: (fields) => {
          let out = fields;
          for (const [key, value] of Object.entries(fields)) {
            if (typeof value !== "string" || !value.includes("://")) continue;
            const redacted = redactSecrets(value);
            if (redacted !== value) out = { ...out, [key]: redacted };
          }
          return out;
        },
      },
    },
    options.destination,
  );
}
