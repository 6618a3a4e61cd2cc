// Postgres (or embedded PGlite) behind one Prisma client, the migration
// runner, and the hot-path SQL of the farm. Only this package touches Prisma.
export { DatabaseBusyError, openDatabase, type Database, type DatabaseOptions, type QueryOptions } from "./open-database.ts";
export type { CopyIn } from "./copy-in.ts";
export { migrate, MIGRATIONS_DIR, type MigrationResult } from "./migrate.ts";
export type * from "./domain.ts";
export { outputSizeOf, renderOptionsOf } from "./render-options.ts";
export { batchStore, emptyItemColumns, type ItemColumns, type NewBatch } from "./stores/batch-store.ts";
export { leaseStore, type BatchPreference, type LeaseRequest, type SettledShards } from "./stores/lease-store.ts";
export { resultStore, type FidelityRecord, type GateOutcome, type OutputsOutcome, type RecordedOutput, type ResultOutcome } from "./stores/result-store.ts";
export { agentRegistry, type AgentHello, type AgentRow } from "./stores/agent-registry.ts";
export { outputStore, type OutputRow } from "./stores/output-store.ts";
export { exportStore, type ExportPageQuery, type ExportStoreRow } from "./stores/export-store.ts";
export { exportJobStore, type ExportJobProgress, type ExportJobRow, type ExportJobState, type NewExportJob } from "./stores/export-job-store.ts";
export { outboxStore, type OutboxEvent } from "./stores/outbox-store.ts";
export { webhookStore, WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT, type ClaimedDelivery, type DeliveryRow, type NewWebhookEvent, type WebhookEndpointRow, type WebhookEventType } from "./stores/webhook-store.ts";
export { dashboardQueries, type BatchCursor, type BatchSummary, type FailedItem, type FarmTotals, type ItemDetail, type ItemTile, type ShardRow } from "./stores/dashboard-queries.ts";
export { batchRerun, type RerunOutcome } from "./stores/batch-rerun.ts";
export { batchReport, type BatchReportRow } from "./stores/batch-report.ts";
export { capacityStore, type AgentCapacity } from "./stores/capacity-store.ts";
export { tokenStore, type TokenPrincipal, type TokenRole, type TokenRow } from "./stores/token-store.ts";
export { agentCredentials, type CredentialRow, type EnrolledAgent } from "./stores/agent-credentials.ts";
export { auditStore, type AuditEntry, type AuditRow } from "./stores/audit-store.ts";
export { creatorStore, MissingTermsError, type CreatorKeywords, type CreatorRow, type CreatorTerms, type StatementItem, type StatementLine, type StatementPeriod } from "./stores/creator-store.ts";
export { FARM_POLICY, policyStore, type ContentPolicyRules, type ContentPolicyVersion, type QuarantinedOutput } from "./stores/policy-store.ts";
