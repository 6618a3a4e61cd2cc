import * as grpc from "@grpc/grpc-js";
import {
  clientChannel,
  farmService,
  type AuditEvent__Output,
  type ClientSecurity,
  type CreatedToken__Output,
  type EnrolledAgent__Output,
  type TokenInfo__Output,
  type WebhookDelivery__Output,
  type WebhookEndpoint__Output,
  type WebhookSecret__Output,
  type Agent__Output,
  type Batch__Output,
  type BatchHeader,
  type BatchProgress__Output,
  type BatchReport__Output,
  type FarmClient,
  type ItemSpec,
  type Plan,
  type RenderSettings,
  type Output__Output,
  type ExportOutputsRequest,
  type ExportRow__Output,
  type Version__Output,
} from "@atelier/protocol";
import { RETRY_POLICY, withRetry } from "./retry-policy.ts";

export interface SubmitResult {
  batchId: string;
  itemCount: number;
  /** Items no registered agent can run yet (the batch waits); empty when all can run. */
  warnings: string[];
  /** Estimated time to done at the farm's recent rate; 0 when unknown. */
  etaMs: number;
  /** width x height x steps of every item's first pass, added up, in millions. */
  megapixelSteps: number;
  /** The header asked for a dry run: nothing was written and batchId is empty. */
  dryRun: boolean;
}

export interface ClientOptions extends ClientSecurity {
  /** Deadline for unary calls. */
  unaryTimeoutMs?: number;
  /** Items per SubmitBatch message. */
  submitChunkItems?: number;
  /** Attempts per unary call, retries included (default 5); 1 shows the first answer as it is. */
  attempts?: number;
}

/**
 * A typed client for the Farm API. Errors are gRPC ServiceErrors whose
 * `details` carry the coordinator's message (e.g. which line and field of a
 * submission is invalid).
 */
export class AtelierClient {
  private readonly client: FarmClient;
  private readonly unaryTimeoutMs: number;
  private readonly submitChunkItems: number;
  private readonly retryPolicy: typeof RETRY_POLICY;

  constructor(address: string, options: ClientOptions = {}) {
    const channel = clientChannel(options);
    this.client = new (farmService())(address, channel.credentials, {
      ...channel.options,
      "grpc.keepalive_time_ms": 20_000,
      "grpc.keepalive_timeout_ms": 10_000,
      "grpc.max_send_message_length": 16 * 1024 * 1024,
    }) as unknown as FarmClient;
    this.unaryTimeoutMs = options.unaryTimeoutMs ?? 10_000;
    this.submitChunkItems = options.submitChunkItems ?? 1_000;
    this.retryPolicy = { ...RETRY_POLICY, attempts: options.attempts ?? RETRY_POLICY.attempts };
  }

  /**
   * Streams a batch: the header, then the items in chunks, with flow control
   * (a slow coordinator slows the producer; nothing accumulates here).
   * Resolves with the batch id once every item is durable.
   */
  submitBatch(header: BatchHeader, items: Iterable<ItemSpec> | AsyncIterable<ItemSpec>): Promise<SubmitResult> {
    return new Promise((resolve, reject) => {
      const call = this.client.SubmitBatch((error, response) => {
        if (error || !response) reject(error ?? new Error("SubmitBatch returned no response"));
        else resolve({ batchId: response.batchId, itemCount: response.itemCount, warnings: response.warnings, etaMs: response.etaMs,
                       megapixelSteps: response.megapixelSteps, dryRun: response.dryRun });
      });
      const write = async () => {
        const send = async (message: Parameters<typeof call.write>[0]) => {
          if (!call.write(message)) await new Promise((r) => call.once("drain", r));
        };
        await send({ header: { ...header, defaults: withGuidancePresence(header.defaults) } });
        let chunk: ItemSpec[] = [];
        /** Adds an item; true when the chunk is full. */
        const push = (item: ItemSpec) => chunk.push(item.settings ? { ...item, settings: withGuidancePresence(item.settings) } : item) >= this.submitChunkItems;
        const flush = async () => {
          await send({ items: { items: chunk } });
          chunk = [];
        };
        // A plain iterable is read without an await per item: a million prompts would be a million turns of the microtask queue.
        if (Symbol.iterator in items) {
          for (const item of items) if (push(item)) await flush();
        } else {
          for await (const item of items) if (push(item)) await flush();
        }
        if (chunk.length > 0) await send({ items: { items: chunk } });
        call.end();
      };
      write().catch((error: unknown) => {
        call.cancel();
        reject(error);
      });
    });
  }

  /**
   * Submits a plan: the coordinator expands it into items (templates,
   * wildcards, prompt matrix, seeds, X/Y/Z axes). With `dryRun` in the header
   * it only counts them.
   */
  submitPlan(header: Omit<BatchHeader, "plan">, plan: Plan): Promise<SubmitResult> {
    return this.submitBatch({ ...header, plan }, []);
  }

  getBatch(batchId: string): Promise<Batch__Output> {
    return this.unary((deadline, cb) => this.client.GetBatch({ batchId }, { deadline }, cb));
  }

  /** A batch's CLIP figures: accepted, rejected and exhausted counts, score deciles, fidelity rate. */
  getBatchReport(batchId: string): Promise<BatchReport__Output> {
    return this.unary((deadline, cb) => this.client.GetBatchReport({ batchId }, { deadline }, cb));
  }

  cancelBatch(batchId: string): Promise<Batch__Output> {
    return this.unary((deadline, cb) => this.client.CancelBatch({ batchId }, { deadline }, cb));
  }

  async listAgents(): Promise<Agent__Output[]> {
    const response = await this.unary<{ agents: Agent__Output[] }>((deadline, cb) => this.client.ListAgents({}, { deadline }, cb));
    return response.agents;
  }

  drainAgent(agentId: string, drain = true): Promise<Agent__Output> {
    return this.unary((deadline, cb) => this.client.DrainAgent({ agentId, drain }, { deadline }, cb));
  }

  getVersion(): Promise<Version__Output> {
    return this.unary((deadline, cb) => this.client.GetVersion({}, { deadline }, cb));
  }

  /** Admin: a new API token for a tenant; its secret is in the answer only. */
  createToken(request: { tenant: string; role?: "user" | "admin"; name?: string }): Promise<CreatedToken__Output> {
    return this.unary((deadline, cb) => this.client.CreateToken({ role: "user", name: "", ...request }, { deadline }, cb));
  }

  /** Admin: every token (of one tenant, when named), live and revoked, without secrets. */
  async listTokens(tenant = ""): Promise<TokenInfo__Output[]> {
    return (await this.unary<{ tokens: TokenInfo__Output[] }>((deadline, cb) => this.client.ListTokens({ tenant }, { deadline }, cb))).tokens;
  }

  /** Admin: false when no live token has this id. */
  async revokeToken(id: string): Promise<boolean> {
    return (await this.unary<{ revoked: boolean }>((deadline, cb) => this.client.RevokeToken({ id }, { deadline }, cb))).revoked;
  }

  /** Admin: enrolls an agent id and returns its credential, shown only here. */
  enrollAgent(name: string, pool = ""): Promise<EnrolledAgent__Output> {
    return this.unary((deadline, cb) => this.client.EnrollAgent({ name, pool }, { deadline }, cb));
  }

  /** Admin: revokes every credential of an agent; how many were live. */
  async revokeAgent(name: string): Promise<number> {
    return (await this.unary<{ revoked: number }>((deadline, cb) => this.client.RevokeAgent({ name }, { deadline }, cb))).revoked;
  }

  /** Admin: the audit log, newest first. */
  async listAuditEvents(limit = 100, before = ""): Promise<AuditEvent__Output[]> {
    return (await this.unary<{ events: AuditEvent__Output[] }>((deadline, cb) => this.client.ListAuditEvents({ limit, before }, { deadline }, cb))).events;
  }

  /** A webhook endpoint of the caller's tenant (an admin names `tenant`); its secret is shown only in this answer. */
  addWebhook(url: string, events: string[], tenant = ""): Promise<WebhookSecret__Output> {
    return this.unary((deadline, cb) => this.client.AddWebhook({ tenant, url, events }, { deadline }, cb));
  }

  /** The caller's tenant's webhook endpoints; an admin's "" lists every tenant's. */
  async listWebhooks(tenant = ""): Promise<WebhookEndpoint__Output[]> {
    return (await this.unary<{ endpoints: WebhookEndpoint__Output[] }>((deadline, cb) => this.client.ListWebhooks({ tenant }, { deadline }, cb))).endpoints;
  }

  async removeWebhook(id: string): Promise<void> {
    await this.unary((deadline, cb) => this.client.RemoveWebhook({ id }, { deadline }, cb));
  }

  /** A new secret; the old one keeps signing beside it for `overlapS` seconds (0: 24 hours). */
  rotateWebhookSecret(id: string, overlapS = 0): Promise<WebhookSecret__Output> {
    return this.unary((deadline, cb) => this.client.RotateWebhookSecret({ id, overlapS }, { deadline }, cb));
  }

  /** The endpoint's delivery log, newest first (limit 0: 50). */
  async listWebhookDeliveries(id: string, limit = 0): Promise<WebhookDelivery__Output[]> {
    return (await this.unary<{ deliveries: WebhookDelivery__Output[] }>((deadline, cb) => this.client.ListWebhookDeliveries({ id, limit }, { deadline }, cb))).deliveries;
  }

  /** Sends a webhook.test event to the endpoint; returns its webhook-id. */
  async testWebhook(id: string): Promise<string> {
    return (await this.unary<{ messageId: string }>((deadline, cb) => this.client.TestWebhook({ id }, { deadline }, cb))).messageId;
  }

  /** Progress now, then every change, until the batch ends. */
  watchBatch(batchId: string): AsyncIterable<BatchProgress__Output> {
    return this.client.WatchBatch({ batchId });
  }

  /** Every output of a batch, in item order; with `urlTtlMs`, each carries a presigned GET URL. */
  listOutputs(batchId: string, options: { urlTtlMs?: number } = {}): AsyncIterable<Output__Output> {
    return this.client.ListOutputs({ batchId, urlTtlMs: options.urlTtlMs ?? 0 });
  }

  /** A finished batch's outputs with every setting and score, for a dataset export (see @atelier/dataset). */
  exportOutputs(request: ExportOutputsRequest): AsyncIterable<ExportRow__Output> {
    return this.client.ExportOutputs(request);
  }

  close(): void {
    this.client.close();
  }

  private unary<T>(start: (deadline: Date, callback: (error: grpc.ServiceError | null, value?: T) => void) => void): Promise<T> {
    return withRetry(
      () =>
        new Promise<T>((resolve, reject) =>
          start(new Date(Date.now() + this.unaryTimeoutMs), (error, value) => (error ? reject(error) : resolve(value as T))),
        ),
      this.retryPolicy,
    );
  }
}

/**
 * Settings that name a guidance say so on the wire (has_guidance), so that
 * `guidance: 0` (no classifier-free guidance) is sent as 0, not as "inherit".
 */
function withGuidancePresence(settings: RenderSettings | null | undefined): RenderSettings | null | undefined {
  if (!settings || settings.guidance === undefined || settings.hasGuidance !== undefined) return settings;
  return { ...settings, hasGuidance: true };
}
