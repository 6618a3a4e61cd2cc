import * as ort from "onnxruntime-node";
import { ProviderUnavailableError } from "../errors.ts";
import { GraphBuilder } from "../onnx/graph-builder.ts";
import { CUDA_INSTALL_HINT } from "./onnx-session.ts";

// Execution providers are picked by configuration, in preference order
// ("tensorrt,cuda,cpu"). onnxruntime itself places each node on the first
// provider in the list that supports it; this module decides which listed
// providers can run on this machine at all. Each one other than the CPU is
// probed once per process with a one-node session, so a missing CUDA library
// or a machine without a WebGPU adapter is found before any model loads.

const probes = new Map<string, Promise<string | undefined>>();

function probeModel(): Uint8Array {
  const g = new GraphBuilder("provider_probe");
  g.output(g.input("x", "float", [1]), "y", "float", [1]);
  return g.toBytes("probe");
}

/** Why `provider` cannot run here, or undefined when it can. */
function unavailableReason(provider: string): Promise<string | undefined> {
  let probe = probes.get(provider);
  if (probe) return probe;
  const backend = ort.listSupportedBackends().find((b) => b.name === provider);
  if (!backend) {
    const available = ort.listSupportedBackends().map((b) => b.name).join(", ");
    probe = Promise.resolve(`${provider} provider is not available in onnxruntime-node on ${process.platform}/${process.arch}; available: ${available}`);
  } else if (provider === "cpu") {
    probe = Promise.resolve(undefined);
  } else {
    probe = ort.InferenceSession.create(probeModel(), { executionProviders: [provider] }).then(
      // The provider started: that is the answer, whether or not the probe's session releases cleanly.
      (session) => session.release().then(() => undefined, () => undefined),
      (error: unknown) => {
        const message = (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
        if (!backend.bundled && /shared library|Failed to load/i.test(message)) return `${provider} provider not installed: ${CUDA_INSTALL_HINT}`;
        if (/adapter/i.test(message)) return `${provider} provider cannot start: no usable GPU adapter on this machine (${message.slice(-160)})`;
        return `${provider} provider cannot start: ${message.slice(0, 300)}`;
      },
    );
  }
  probes.set(provider, probe);
  return probe;
}

export interface ResolvedProviders {
  /** the providers sessions are created with, in preference order */
  providers: string[];
  /** providers that were asked for but skipped (fallback mode), with the reason */
  skipped: { provider: string; reason: string }[];
}

/**
 * Checks the requested providers in order. Without `fallback` the first one
 * that cannot run is an error; with it, such providers are skipped (and
 * reported) as long as one remains.
 */
export async function resolveProviders(requested: readonly string[], fallback: boolean): Promise<ResolvedProviders> {
  const providers: string[] = [];
  const skipped: ResolvedProviders["skipped"] = [];
  for (const provider of requested) {
    const reason = await unavailableReason(provider);
    if (reason === undefined) providers.push(provider);
    else if (!fallback) throw new ProviderUnavailableError(reason);
    else skipped.push({ provider, reason });
  }
  if (providers.length === 0) {
    throw new ProviderUnavailableError(`none of the execution providers [${requested.join(", ")}] can run here: ${skipped.map((s) => s.reason).join("; ")}`);
  }
  return { providers, skipped };
}
