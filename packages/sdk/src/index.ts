// The typed client for Atelier's Farm API, used by the CLI and by users.
export { AtelierClient, type ClientOptions, type SubmitResult } from "./atelier-client.ts";
export { RETRY_POLICY, withRetry } from "./retry-policy.ts";
export type { Agent__Output as Agent, Batch__Output as Batch, BatchProgress__Output as BatchProgress, ItemSpec, BatchHeader, Plan, PlanAxis, Output__Output as Output, ExportOutputsRequest, ExportRow__Output as ExportRow } from "@atelier/protocol";
