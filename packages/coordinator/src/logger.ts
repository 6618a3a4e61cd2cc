import { pino, type Logger as PinoLogger } from "pino";

export type Logger = PinoLogger;

/** Structured JSON logs; `silent` for tests and the demo's quiet mode. */
export function createLogger(options: { level: string; name?: string }): Logger {
  return pino({ name: options.name ?? "coordinator", level: options.level });
}
