// @atelier/common: what the coordinator, the agent and the CLI all need and
// none should take from another: logging with secrets kept out, configuration
// parsed with a schema, the one backoff, the HTTP port's plumbing and CSV. It
// depends on no other package here, and loads no database, S3 or NATS client.
export { createLogger, REDACTED_LOG_PATHS, type Logger, type LoggerOptions } from "./logger.ts";
export { REDACTED, redactSecrets, redactUrl, stripPresignedQuery } from "./redact.ts";
export { ConfigError, configFields, parseConfig, type ParseConfigOptions } from "./config.ts";
export { csvTable } from "./csv.ts";
export { backoffDelayMs, retryWithBackoff, sleep, type Backoff, type RetryOptions } from "./backoff.ts";
export { startHttpServer, type HttpServer, type HttpServerOptions, type MetricsSource } from "./http-server.ts";
