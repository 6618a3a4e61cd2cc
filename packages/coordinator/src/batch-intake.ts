import { randomInt, randomUUID } from "node:crypto";
import { setImmediate } from "node:timers/promises";
import { batchStore, capacityStore, emptyItemColumns, type ClipCheckSettings, type Database, type ItemColumns, type RenderSettings } from "@atelier/db";
import type { BatchHeader__Output, SubmitBatchRequest__Output } from "@atelier/protocol";
import { expandPlan, type ExpandedPlan } from "./plans/index.ts";
import { Requirements, unmetRequirements } from "./capacity-check.ts";
import { CapacityError, QuotaError, ValidationError } from "./errors.ts";
import { itemTextProblems, validateItem, validateSettings } from "./item-validation.ts";
import { promptPolicyFor, type PromptPolicy } from "./policy/content-policy.ts";
import { LIMITS } from "./limits.ts";
import type { Admission } from "./tenant-limits.ts";

export interface IntakeOptions {
  /** Settings for fields that neither the item nor the header sets. */
  defaults: RenderSettings;
  maxAttempts: number;
  /** Items written per INSERT. */
  insertChunkItems: number;
}

export interface IntakeResult {
  batchId: string;
  itemCount: number;
  tenantId: string;
  reused: boolean;
  /** Items no registered agent can run yet, said plainly; the batch waits for such an agent. */
  warnings: string[];
  /** width x height x steps of every item's first pass, added up, in millions. */
  megapixelSteps: number;
  /** Checked and counted only: nothing was written and batchId is empty. */
  dryRun: boolean;
}

/**
 * Receives one SubmitBatch stream: a header, then chunks of item specs, or a
 * header with a plan. Specs and plans are expanded (count -> consecutive
 * seeds; a plan -> its combinations), validated and written in chunks while
 * the stream flows, so a batch of millions never sits in memory. A dry run
 * does the same without writing.
 * The batch stays invisible until the stream ends cleanly; any error removes
 * every row it wrote.
 */
export async function receiveBatch(
  db: Database,
  requests: AsyncIterable<SubmitBatchRequest__Output> & { readonly cancelled?: boolean },
  options: IntakeOptions,
  /** Says which tenant the header may write as and how many items it may add; throws to refuse. */
  admit: (header: BatchHeader__Output) => Promise<Admission>,
): Promise<IntakeResult> {
  const iterator = requests[Symbol.asyncIterator]();
  const first = await iterator.next();
  const header = first.done ? undefined : first.value.header;
  if (!header) throw new ValidationError(["the first message of SubmitBatch must be a header"]);

  const defaults = mergeSettings(header.defaults, options.defaults);
  const headerProblems = validateSettings(defaults, "batch defaults: ");
  if (header.tenant && !LIMITS.tenantName.test(header.tenant)) headerProblems.push(`tenant "${header.tenant.slice(0, 80)}" must be 1-64 letters, digits, _ or -`);
  if (header.name.length > LIMITS.batchNameChars) headerProblems.push(`name must be at most ${LIMITS.batchNameChars} characters (got ${header.name.length})`);
  if (header.idempotencyKey.length > LIMITS.idempotencyKeyChars) headerProblems.push(`idempotency_key must be at most ${LIMITS.idempotencyKeyChars} characters (got ${header.idempotencyKey.length})`);
  if (headerProblems.length > 0) throw new ValidationError(headerProblems);
  const { tenantId, maxItems } = await admit(header);
  const policy = await promptPolicyFor(db, tenantId);

  if (header.idempotencyKey && !header.dryRun) {
    const existing = await batchStore.findByIdempotencyKey(db, tenantId, header.idempotencyKey);
    if (existing) {
      const counts = await batchStore.counts(db, existing);
      return { batchId: existing, itemCount: counts?.total ?? 0, tenantId, reused: true, warnings: [], megapixelSteps: 0, dryRun: false };
    }
  }

  // Items without a seed get base + index; a batch without a base seed gets a
  // random one, recorded with the batch so that a re-run reproduces it.
  const baseSeed = header.baseSeed || randomInt(0, LIMITS.maxSeed);
  // A plan is checked whole, and its size known, before anything is written.
  const plan = header.plan ? expandPlan(header.plan, defaults, baseSeed) : undefined;
  if (plan && plan.count > maxItems) throw new QuotaError(`tenant ${tenantId} may queue ${maxItems} more items now (ATELIER_TENANT_MAX_QUEUED); this plan makes ${plan.count}`);
  const write = !header.dryRun;
  const batchId = write ? randomUUID() : "";
  if (write) {
    await batchStore.begin(db, {
      id: batchId,
      tenantId,
      name: header.name,
      priority: header.priority,
      defaults: { ...defaults, baseSeed },
      maxAttempts: options.maxAttempts,
      idempotencyKey: header.idempotencyKey || undefined,
      planAxes: plan && plan.axes.length > 0 ? plan.axes : undefined,
    });
  }

  try {
    let pending = emptyItemColumns();
    let count = 0;
    let megapixelSteps = 0;
    const requirements = new Requirements();
    const groups = plan ? planItems(plan, iterator, options.insertChunkItems, policy) : specItems(iterator, baseSeed, defaults, policy);
    for await (const group of groups) {
      count += group.index.length;
      // Items that share a settings object need one look; a plan's items each bring their own.
      let seen: RenderSettings | undefined;
      for (const settings of group.settings) {
        if (settings !== seen) requirements.add(settings);
        seen = settings;
        megapixelSteps += (settings.width * settings.height * settings.steps) / 1e6;
      }
      if (count > LIMITS.maxItemsPerBatch) throw new ValidationError([`a batch may hold at most ${LIMITS.maxItemsPerBatch} items`]);
      if (count > maxItems) throw new QuotaError(`tenant ${tenantId} may queue ${maxItems} more items now (ATELIER_TENANT_MAX_QUEUED); this batch has more`);
      if (!write) continue;
      pending = pending.index.length === 0 ? group : appendColumns(pending, group);
      if (pending.index.length >= options.insertChunkItems) {
        await batchStore.append(db, batchId, pending);
        pending = emptyItemColumns();
      }
    }
    // A client that gave up mid-stream ends it too; only a stream that was not cancelled is a whole batch.
    if (requests.cancelled) throw new Error("the client cancelled the submission");
    if (count === 0) throw new ValidationError(["the batch has no items"]);
    const warnings = unmetRequirements(requirements, await capacityStore.agents(db));
    if (header.strict && warnings.length > 0) throw new CapacityError(`refused (strict): ${warnings.join("; ")}`);
    if (!write) return { batchId, itemCount: count, tenantId, reused: false, warnings, megapixelSteps, dryRun: true };
    await batchStore.append(db, batchId, pending);
    await batchStore.commit(db, batchId, count);
    return { batchId, itemCount: count, tenantId, reused: false, warnings, megapixelSteps, dryRun: false };
  } catch (error) {
    if (write) await batchStore.abort(db, batchId);
    throw error;
  }
}

type Requests = AsyncIterator<SubmitBatchRequest__Output>;

/**
 * The items of the stream's chunks, one checked group of columns per chunk.
 * Specs without settings of their own (nearly all) share the batch defaults,
 * checked once with the header; a spec's own settings are merged and checked
 * once per change, so a valid item costs its text checks and five pushes.
 */
async function* specItems(iterator: Requests, baseSeed: number, defaults: RenderSettings, policy: PromptPolicy): AsyncGenerator<ItemColumns> {
  let count = 0;
  let lastInput: string | undefined;
  let lastSettings = defaults;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    const specs = next.value.items?.items;
    if (!specs) throw new ValidationError(["only one header is allowed, at the start of SubmitBatch"]);
    if (specs.length > LIMITS.maxChunkItems) throw new ValidationError([`a chunk may hold at most ${LIMITS.maxChunkItems} items (got ${specs.length})`]);
    const group = emptyItemColumns();
    for (const spec of specs) {
      let settings = defaults;
      let settingsProblems: string[] = [];
      if (spec.settings) {
        // Input files repeat a line's settings down the file: equal ones are merged and checked once.
        const input = JSON.stringify(spec.settings);
        if (input !== lastInput) {
          const merged = mergeSettings(spec.settings, defaults);
          settingsProblems = validateSettings(merged, "");
          if (settingsProblems.length === 0) [lastInput, lastSettings] = [input, merged];
          settings = merged;
        } else {
          settings = lastSettings;
        }
      }
      const seed = spec.hasSeed ? spec.seed : baseSeed + count;
      const textProblems = itemTextProblems(spec.prompt, spec.negativePrompt, seed % (LIMITS.maxSeed + 1));
      const refused = policy.violation(spec.prompt, "");
      if (textProblems || settingsProblems.length > 0 || refused || spec.count > LIMITS.maxCount) {
        const at = spec.source || `item ${count}`;
        const problems = [...(textProblems ?? []), ...settingsProblems].map((problem) => `${at}: ${problem}`);
        if (spec.count > LIMITS.maxCount) problems.unshift(`${at}: count must be at most ${LIMITS.maxCount} (got ${spec.count})`);
        if (refused) problems.unshift(policy.violation(spec.prompt, at)!);
        throw new ValidationError(problems.slice(0, 20));
      }
      const copies = Math.max(1, spec.count);
      for (let k = 0; k < copies; k++) {
        group.settings.push(settings);
        group.index.push(count + k);
        group.prompt.push(spec.prompt);
        group.negativePrompt.push(spec.negativePrompt);
        group.seed.push((seed + k) % (LIMITS.maxSeed + 1));
      }
      count += copies;
    }
    yield group;
  }
}

/** A plan's items in checked groups of `groupItems`; the stream must end after its header. */
async function* planItems(plan: ExpandedPlan, iterator: Requests, groupItems: number, policy: PromptPolicy): AsyncGenerator<ItemColumns> {
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    throw new ValidationError([next.value.header ? "only one header is allowed, at the start of SubmitBatch" : "a batch with a plan takes no item chunks: the plan makes its items"]);
  }
  let group = emptyItemColumns();
  group.axes = [];
  for (const item of plan.items()) {
    const problems = validateItem(item, "");
    const refused = policy.violation(item.prompt, `plan item ${item.index}`);
    if (refused) problems.unshift(refused);
    if (problems.length > 0) throw new ValidationError(problems);
    group.settings.push(item);
    group.index.push(item.index);
    group.prompt.push(item.prompt);
    group.negativePrompt.push(item.negativePrompt);
    group.seed.push(item.seed);
    group.axes.push(item.axes);
    if (group.index.length >= groupItems) {
      yield group;
      group = emptyItemColumns();
      group.axes = [];
      // Expansion never waits on the client: let heartbeats, keepalives and other calls in between groups.
      await setImmediate();
    }
  }
  if (group.index.length > 0) yield group;
}

/** `more` added at the end of `into`. */
function appendColumns(into: ItemColumns, more: ItemColumns): ItemColumns {
  for (let k = 0; k < more.index.length; k++) {
    into.settings.push(more.settings[k]!);
    into.index.push(more.index[k]!);
    into.prompt.push(more.prompt[k]!);
    into.negativePrompt.push(more.negativePrompt[k]!);
    into.seed.push(more.seed[k]!);
  }
  if (into.axes || more.axes) {
    into.axes ??= Array.from({ length: into.index.length - more.index.length });
    for (let k = 0; k < more.index.length; k++) into.axes.push(more.axes?.[k]);
  }
  return into;
}

/**
 * Settings the header or item sets, over `base`. Zero and empty strings mean
 * "inherit" (proto3 defaults), except guidance: has_guidance says it was
 * set, so 0 (no classifier-free guidance) is kept and only an unset one inherits.
 */
function mergeSettings(over: RenderSettingsInput | null | undefined, base: RenderSettings): RenderSettings {
  const merged: RenderSettings = {
    model: over?.model || base.model,
    width: over?.width || base.width,
    height: over?.height || base.height,
    steps: over?.steps || base.steps,
    guidance: over?.hasGuidance ? over.guidance : base.guidance,
    sampler: over?.sampler || base.sampler,
  };
  const clipSkip = over?.clipSkip || base.clipSkip;
  const seedSource = over?.seedSource || base.seedSource;
  const refinerModel = over?.refinerModel || base.refinerModel;
  const refinerStart = over?.refinerStart || base.refinerStart;
  const architecture = over?.architecture || base.architecture;
  const hires = over?.hires
    ? { scale: over.hires.scale, steps: over.hires.steps, denoise: over.hires.denoise, upscaler: over.hires.upscaler || LIMITS.hiresBuiltinUpscaler }
    : base.hires;
  const upscale = over?.upscale ? { model: over.upscale.model, scale: over.upscale.scale } : base.upscale;
  const clip = over?.clip ? clipCheckOf(over.clip) : base.clip;
  if (clipSkip) merged.clipSkip = clipSkip;
  if (seedSource) merged.seedSource = seedSource;
  if (refinerModel) merged.refinerModel = refinerModel;
  if (refinerStart) merged.refinerStart = refinerStart;
  if (architecture) merged.architecture = architecture;
  if (hires) merged.hires = hires;
  if (upscale) merged.upscale = upscale;
  if (clip) merged.clip = clip;
  return merged;
}

/** A ClipCheck as stored: only what is set; scoring is on whenever a gate or fidelity check is. */
function clipCheckOf(check: NonNullable<RenderSettingsInput["clip"]>): ClipCheckSettings {
  const clip: ClipCheckSettings = { score: true };
  if (check.hasMinScore) clip.minScore = check.minScore;
  if (check.maxRerolls) clip.maxRerolls = check.maxRerolls;
  if (check.counterPrompts.length > 0) clip.counterPrompts = check.counterPrompts;
  if (check.fidelity) clip.fidelity = true;
  return clip;
}

type RenderSettingsInput = NonNullable<BatchHeader__Output["defaults"]>;
