// The dashboard's JSON API: the one description of it. The coordinator's
// routes (packages/coordinator/src/http/router.ts: a Route is typed by
// ApiRoutes below, so a handler that answers other than its entry says, or a
// route missing here, does not compile) and this app's views both compile
// against these types.

export type BatchStateName = "queued" | "running" | "completed" | "failed" | "cancelled";
/** "exhausted": every attempt fell below the item's CLIP quality gate (its rejected attempts are kept). */
export type ItemStateName = "queued" | "leased" | "done" | "failed" | "cancelled" | "exhausted";
export type AgentStatus = "online" | "draining" | "silent" | "offline";

export interface SessionInfo {
  csrfToken: string;
  expiresAtMs: number;
}

/** The farm at one instant: what the dashboard charts and `atelier.farm.load` carries. */
export interface FarmLoadSample {
  atMs: number;
  /** The coordinator that took the sample; each publishes its own. */
  coordinatorId: string;
  agents: number;
  agentsOnline: number;
  slots: number;
  liveLeases: number;
  /** Live leases over online slots, 0..1. */
  utilisation: number;
  queueDepth: number;
  liveBatches: number;
  /** Farm-wide, over the last minute (or less, just after start). */
  imagesPerMin: number;
}

export interface FarmResponse {
  coordinatorId: string;
  version: string;
  heartbeatIntervalMs: number;
  load: readonly FarmLoadSample[];
}

export interface ShardInfo {
  shardId: string;
  batchId: string;
  batchName: string;
  epoch: number;
  items: number;
  done: number;
  leasedAtMs: number;
}

export interface RecentShard extends ShardInfo {
  agentId: string;
  state: string;
  endedAtMs: number | null;
}

export interface AgentInfo {
  id: string;
  name: string;
  status: AgentStatus;
  gpu: string;
  memoryBytes: number;
  providers: string[];
  models: string[];
  slots: number;
  busySlots: number;
  maxWidth: number;
  maxHeight: number;
  version: string;
  draining: boolean;
  imagesDone: number;
  imagesPerMin: number;
  lastSeenMs: number;
  currentShards: ShardInfo[];
}

export interface AgentsResponse {
  agents: AgentInfo[];
}

export interface AgentDetailResponse {
  agent: AgentInfo;
  recentShards: RecentShard[];
}

export interface BatchSummary {
  id: string;
  tenantId: string;
  name: string;
  state: BatchStateName;
  priority: number;
  total: number;
  done: number;
  failed: number;
  cancelled: number;
  createdAtMs: number;
  finishedAtMs: number | null;
  /** Items settled per minute over the last minute. */
  ratePerMin: number;
}

export interface BatchesResponse {
  batches: BatchSummary[];
  /** Cursor for the next (older) page. */
  next: string | null;
}

export interface BatchDetailResponse {
  batch: BatchSummary & { defaults: Record<string, unknown> };
  failureReasons: { error: string; count: number; firstIndex: number }[];
}

export interface FailedItem {
  itemId: string;
  index: number;
  seed: number;
  prompt: string;
  attempts: number;
  lostLeases: number;
  error: string;
}

export interface FailuresResponse {
  failures: FailedItem[];
  next: string | null;
}

export interface ItemTile {
  itemId: string;
  index: number;
  seed: number;
  state: ItemStateName;
  prompt: string;
  error: string;
  hasImage: boolean;
  /** The accepted image's CLIP similarity (cosine, as LAION's); null when it was not scored or there is no image. */
  clipScore: number | null;
}

/**
 * state=all pages by index (from, limit) with the batch total; a state filter
 * pages by cursor, and so does minScore (items whose accepted image's CLIP
 * similarity is at least that, in the order they were rendered).
 */
export type ItemsResponse = { total: number; items: ItemTile[] } | { items: ItemTile[]; next: string | null };

export interface ItemDetailResponse {
  item: {
    itemId: string;
    batchId: string;
    tenantId: string;
    index: number;
    state: ItemStateName;
    prompt: string;
    negativePrompt: string;
    seed: number;
    model: string;
    width: number;
    height: number;
    steps: number;
    guidance: number;
    sampler: string;
    attempts: number;
    error: string;
    output: { key: string; sha256: string; bytes: number; agentId: string; renderMs: number; createdAtMs: number } | null;
  };
  /** The A1111 `parameters` text stored in the PNG itself. */
  parameters: string | null;
}

export interface RerunResponse extends BatchDetailResponse {
  requeued: number;
}

/** One bin of a batch's CLIP scores: [from, to) (the last bin includes `to`), its accepted and rejected attempts. */
export interface ScoreBin {
  from: number;
  to: number;
  accepted: number;
  rejected: number;
}

/** GET /api/batches/:id/report: Farm.GetBatchReport's figures and the scores' histogram. */
export interface BatchReportResponse {
  report: {
    items: number;
    acceptedItems: number;
    exhaustedItems: number;
    outputs: number;
    rejectedOutputs: number;
    rejectedShare: number;
    scoredOutputs: number;
    /** Minimum, 10th .. 90th percentile, maximum; empty when nothing is scored. */
    scoreDeciles: number[];
    fidelityChecked: number;
    fidelityMatched: number;
    fidelityRate: number;
  };
  /** Equal-width bins from the lowest score to the highest; empty when nothing is scored. */
  histogram: ScoreBin[];
}

/** A tenant's webhook endpoint (its secret is never shown again after it was made). */
export interface WebhookEndpointInfo {
  id: string;
  tenant: string;
  url: string;
  events: string[];
  createdAtMs: number;
  /** A rotated secret still signs beside the new one. */
  rotating: boolean;
}

/** GET /api/webhooks: every tenant's endpoints, oldest first. */
export interface WebhooksResponse {
  endpoints: WebhookEndpointInfo[];
}

/** One event's delivery to an endpoint: every attempt shares its messageId (the webhook-id header). */
export interface WebhookDeliveryInfo {
  id: string;
  messageId: string;
  eventType: string;
  state: "pending" | "delivered" | "failed" | string;
  attempts: number;
  /** The last attempt's HTTP status; 0 when it got no answer. */
  lastStatus: number;
  lastError: string;
  createdAtMs: number;
  deliveredAtMs: number | null;
  nextAttemptAtMs: number;
}

/** GET /api/webhooks/:id/deliveries: newest first. */
export interface WebhookDeliveriesResponse {
  deliveries: WebhookDeliveryInfo[];
}

/** POST /api/webhooks/:id/test: the queued test event's webhook-id. */
export interface WebhookTestResponse {
  messageId: string;
}

/** One creator's line of a royalty statement; money and contributions are exact decimal strings, as SQL computed them. */
export interface RoyaltyLine {
  creatorId: string;
  displayName: string;
  payee: string;
  images: number;
  meanContribution: string;
  gross: string;
  platform: string;
  payable: string;
}

/**
 * GET /api/royalties?tenant=T&from=DATE&to=DATE[&pricePerImage=P][&platformShare=S]:
 * `atelier royalties`' statement (dates in UTC, `to` included whole).
 */
export interface RoyaltiesResponse {
  tenant: string;
  fromMs: number;
  /** Exclusive. */
  toMs: number;
  lines: RoyaltyLine[];
}

/** Server-Sent Events on /api/events. */
export interface ProgressEvent {
  batchId: string;
  state: `BATCH_STATE_${Uppercase<BatchStateName>}` | string;
  total: number;
  done: number;
  failed: number;
  cancelled: number;
  atMs: number;
  ratePerMin: number;
}

export interface AgentStatusEvent {
  agentId: string;
  status: string;
  atMs: number;
}

/** One audited act: who (`token:<id>`, `bootstrap`, `agent:<id>`, `local`), what, on what, and when. */
export interface AuditEvent {
  id: string;
  atMs: number;
  actor: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

/** GET /api/audit: newest first; `next` pages back (`before=`), null at the oldest. */
export interface AuditResponse {
  events: AuditEvent[];
  next: string | null;
}

/** A quarantined image awaiting an admin's decision (the safety checker flagged it). */
export interface QuarantinedImage {
  outputId: string;
  itemId: string;
  batchId: string;
  tenantId: string;
  prompt: string;
  safetyVerdict: string;
  createdAtMs: number;
}

/** GET /api/moderation: oldest first; `next` pages on (`after=`), null at the end. */
export interface ModerationResponse {
  images: QuarantinedImage[];
  next: string | null;
}

/** POST /api/moderation/:id/release and /delete: what was decided. */
export interface ModerationDecision {
  outputId: string;
  decision: "released" | "deleted";
}

/** A tenant's creator as its terms stand now; prices and shares are exact decimal strings, null where the statement's apply. */
export interface CreatorInfo {
  id: string;
  tenant: string;
  displayName: string;
  payee: string;
  /** Keywords, phrases and aliases, lower-cased: matched case-insensitively as whole words. */
  keywords: string[];
  pricePerImage: string | null;
  platformShare: string | null;
  /** How many versions of the terms there have been; the one shown is valid from validFromMs. */
  version: number;
  validFromMs: number;
}

/** GET /api/creators?tenant=T: the tenant's live creators, oldest first. */
export interface CreatorsResponse {
  tenant: string;
  creators: CreatorInfo[];
}

/**
 * POST /api/creators (all of displayName, payee, keywords; prices optional)
 * and POST /api/creators/:id (the fields to change: a new version, valid from
 * now), as `atelier creators add|update` take them.
 */
export interface CreatorChange {
  tenant: string;
  displayName?: string;
  payee?: string;
  keywords?: string[];
  pricePerImage?: string | null;
  platformShare?: string | null;
}

/** DELETE /api/creators/:id?tenant=T: who was removed (past statements keep them). */
export interface CreatorRemoved {
  id: string;
  tenant: string;
}

/**
 * Every route of the API, "METHOD /path/:param", with what it answers (as
 * JSON, status 200). `undefined`: it answers otherwise (a redirect, an event
 * stream, 204). Add a route here first; the coordinator cannot serve one that
 * is not listed.
 */
export interface ApiRoutes {
  "GET /api/session": SessionInfo;
  "POST /api/session": SessionInfo;
  "DELETE /api/session": undefined;
  "GET /api/farm": FarmResponse;
  "GET /api/agents": AgentsResponse;
  "GET /api/agents/:id": AgentDetailResponse;
  "POST /api/agents/:id/drain": AgentDetailResponse;
  "GET /api/batches": BatchesResponse;
  "GET /api/batches/:id": BatchDetailResponse;
  "GET /api/batches/:id/failures": FailuresResponse;
  "GET /api/batches/:id/items": ItemsResponse;
  "GET /api/batches/:id/report": BatchReportResponse;
  "POST /api/batches/:id/cancel": BatchDetailResponse;
  "POST /api/batches/:id/rerun-failed": RerunResponse;
  "GET /api/items/:id": ItemDetailResponse;
  /** A redirect to the image in the bucket. */
  "GET /api/items/:id/image": undefined;
  /** A redirect to the image's 256 px thumbnail in the bucket, made on first request. */
  "GET /api/items/:id/thumbnail": undefined;
  /** Server-Sent Events: progress (ProgressEvent[]), agents (AgentStatusEvent[]), load (FarmLoadSample). */
  "GET /api/events": undefined;
  "GET /api/audit": AuditResponse;
  "GET /api/webhooks": WebhooksResponse;
  "GET /api/webhooks/:id/deliveries": WebhookDeliveriesResponse;
  "POST /api/webhooks/:id/test": WebhookTestResponse;
  "GET /api/royalties": RoyaltiesResponse;
  /** The same statement as a CSV attachment, with `atelier royalties --format csv`'s columns. */
  "GET /api/royalties/csv": undefined;
  "GET /api/moderation": ModerationResponse;
  /** A redirect to a quarantined image in the bucket, for an admin to judge (the page shows it blurred). */
  "GET /api/moderation/:id/image": undefined;
  "POST /api/moderation/:id/release": ModerationDecision;
  "POST /api/moderation/:id/delete": ModerationDecision;
  "GET /api/creators": CreatorsResponse;
  "POST /api/creators": CreatorInfo;
  "POST /api/creators/:id": CreatorInfo;
  "DELETE /api/creators/:id": CreatorRemoved;
}

// The sweep grid and server-side dataset exports: their types are in dataset-api-types.ts.
export type { ExportFormatName, ExportJobInfo, ExportJobProgress, ExportJobState, ExportRequest, ExportsResponse, SweepAxisInfo, SweepResponse } from "./dataset-api-types.ts";
import type { ExportJobInfo, ExportsResponse, SweepResponse } from "./dataset-api-types.ts";
export interface ApiRoutes {
  "GET /api/batches/:id/sweep": SweepResponse;
  /** A PNG: page `z` (0-based, default 0) of the sweep's labelled X/Y grid; withheld images are grey tiles. */
  "GET /api/batches/:id/grid": undefined;
  "GET /api/batches/:id/exports": ExportsResponse;
  "POST /api/batches/:id/exports": ExportJobInfo;
  "POST /api/batches/:id/exports/:exportId/resume": ExportJobInfo;
}
