// What must hold of every rendered overlay of deploy/kubernetes, beyond its
// schemas. Each check returns the problems it found, one line each, naming
// the object; an empty list means the invariant holds.

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
}
interface Probe {
  grpc?: { port: number; service?: string };
  httpGet?: unknown;
  tcpSocket?: unknown;
  exec?: unknown;
}
export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: { name?: string; containerPort: number }[];
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  securityContext?: SecurityContext;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
}
export interface PodSpec {
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string; operator?: string; effect?: string }[];
  terminationGracePeriodSeconds?: number;
}
interface LabelSelector {
  matchLabels?: Record<string, string>;
}
interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string };
}
interface PolicyRule {
  from?: PolicyPeer[];
  to?: PolicyPeer[];
  ports?: { protocol?: string; port?: number | string }[];
}

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"]);
const COMPONENT = "app.kubernetes.io/component";
/** Environment and ConfigMap keys that hold secrets: their values come from Secrets, never inline. */
export const SECRET_NAME = /PASSWORD|SECRET|TOKEN|DATABASE_URL|ACCESS_KEY|CREDS|PRIVATE_KEY/i;
/** A URL with a password in it (scheme://user:password@host). */
const URL_WITH_PASSWORD = /:\/\/[^/@\s:]+:[^/@\s]+@/;

const named = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;
const spec = <T>(o: KubeObject) => (o.spec ?? {}) as T;

/** The pod template of a workload, or undefined for any other kind. */
export function podSpec(o: KubeObject): PodSpec | undefined {
  if (!WORKLOADS.has(o.kind)) return undefined;
  return spec<{ template: { spec: PodSpec } }>(o).template.spec;
}

export function podLabels(o: KubeObject): Record<string, string> {
  return spec<{ template: { metadata?: { labels?: Record<string, string> } } }>(o).template.metadata?.labels ?? {};
}

/** The workloads of one component (app.kubernetes.io/component), e.g. "coordinator" or "agent". */
export function workloads(objects: KubeObject[], component: string): KubeObject[] {
  return objects.filter((o) => podSpec(o) && o.metadata.labels?.[COMPONENT] === component);
}

const selects = (selector: LabelSelector | undefined, labels: Record<string, string>) =>
  Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);

function allContainers(pod: PodSpec): Container[] {
  return [...pod.containers, ...(pod.initContainers ?? [])];
}

/** Agents ask for a GPU and may land on GPU nodes. */
export function agentsRequestGpu(objects: KubeObject[]): string[] {
  const agents = workloads(objects, "agent");
  if (agents.length === 0) return ["no agent workload (app.kubernetes.io/component: agent)"];
  return agents.flatMap((o) => {
    const pod = podSpec(o)!;
    const problems: string[] = [];
    for (const c of pod.containers) {
      const gpus = Number(c.resources?.limits?.["nvidia.com/gpu"] ?? 0);
      if (!(gpus >= 1)) problems.push(`${named(o)}: container ${c.name} has no nvidia.com/gpu limit`);
    }
    if (!pod.tolerations?.some((t) => t.key === "nvidia.com/gpu")) problems.push(`${named(o)}: no toleration for GPU nodes' nvidia.com/gpu taint`);
    if (Object.keys(pod.nodeSelector ?? {}).length === 0) problems.push(`${named(o)}: no nodeSelector for GPU nodes`);
    return problems;
  });
}

/** Every container runs as a non-root user, cannot gain privileges and has a read-only root filesystem. */
export function containersRunAsNonRoot(objects: KubeObject[]): string[] {
  return objects.flatMap((o) => {
    const pod = podSpec(o);
    if (!pod) return [];
    return allContainers(pod).flatMap((c) => {
      const where = `${named(o)}: container ${c.name}`;
      const nonRoot = c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
      const user = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
      const problems: string[] = [];
      if (nonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
      if (user === 0) problems.push(`${where}: runAsUser is 0 (root)`);
      if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (c.securityContext?.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
      return problems;
    });
  });
}

/** Coordinators run two or more replicas, and a PodDisruptionBudget keeps one serving through voluntary disruptions. */
export function coordinatorsHighlyAvailable(objects: KubeObject[]): string[] {
  const coordinators = workloads(objects, "coordinator");
  if (coordinators.length !== 1) return [`expected one coordinator workload, found ${coordinators.length}`];
  const deployment = coordinators[0]!;
  const replicas = spec<{ replicas?: number }>(deployment).replicas ?? 1;
  const problems: string[] = [];
  if (replicas < 2) problems.push(`${named(deployment)}: ${replicas} replica(s); coordinators need 2 or more`);
  const budgets = objects.filter((o) => o.kind === "PodDisruptionBudget" && selects(spec<{ selector?: LabelSelector }>(o).selector, podLabels(deployment)));
  if (budgets.length === 0) problems.push(`${named(deployment)}: no PodDisruptionBudget selects its pods`);
  for (const pdb of budgets) {
    const { minAvailable, maxUnavailable } = spec<{ minAvailable?: number | string; maxUnavailable?: number | string }>(pdb);
    if (typeof minAvailable === "number" && (minAvailable < 1 || minAvailable >= replicas)) {
      problems.push(`${named(pdb)}: minAvailable ${minAvailable} must be from 1 to replicas - 1 (${replicas - 1}): below, a drain may take every coordinator; at or above, no node drains`);
    }
    if (minAvailable === undefined && maxUnavailable === undefined) problems.push(`${named(pdb)}: neither minAvailable nor maxUnavailable`);
  }
  return problems;
}

/** The coordinators' readiness, liveness and startup probes ask the standard gRPC health service on the gRPC port. */
export function probesUseGrpcHealth(objects: KubeObject[]): string[] {
  return workloads(objects, "coordinator").flatMap((o) =>
    podSpec(o)!.containers.flatMap((c) => {
      const grpcPort = c.ports?.find((p) => p.name === "grpc")?.containerPort;
      if (grpcPort === undefined) return [`${named(o)}: container ${c.name} has no port named grpc`];
      const probes: [string, Probe | undefined][] = [["readinessProbe", c.readinessProbe], ["livenessProbe", c.livenessProbe], ["startupProbe", c.startupProbe]];
      return probes.flatMap(([kind, probe]) => {
        if (!probe) return kind === "startupProbe" ? [] : [`${named(o)}: container ${c.name} has no ${kind}`];
        if (probe.grpc?.port !== grpcPort || probe.httpGet || probe.tcpSocket || probe.exec) {
          return [`${named(o)}: container ${c.name}'s ${kind} is not a gRPC health check on port ${grpcPort} (${JSON.stringify(probe)})`];
        }
        return [];
      });
    }),
  );
}

/**
 * No secret value is written into the manifests: no Secret objects (they are
 * created beside the manifests), no secret-named environment variable with
 * an inline value, no secret-named ConfigMap key, no URL with a password.
 * `allowSecretObjects`: the dev overlay generates its Secrets from published
 * development values.
 */
export function secretsNotInlined(objects: KubeObject[], allowSecretObjects: boolean): string[] {
  return objects.flatMap((o) => {
    if (o.kind === "Secret") return allowSecretObjects ? [] : [`${named(o)}: a Secret with its values in the manifests`];
    if (o.kind === "ConfigMap") {
      return Object.entries({ ...o.data }).flatMap(([key, value]) => {
        if (SECRET_NAME.test(key)) return [`${named(o)}: key ${key} holds a secret; it belongs in a Secret`];
        if (URL_WITH_PASSWORD.test(value)) return [`${named(o)}: key ${key} is a URL with a password`];
        return [];
      });
    }
    const pod = podSpec(o);
    if (!pod) return [];
    return allContainers(pod).flatMap((c) =>
      (c.env ?? [])
        .filter((e) => e.value !== undefined && (SECRET_NAME.test(e.name) || URL_WITH_PASSWORD.test(e.value)))
        .map((e) => `${named(o)}: container ${c.name} has ${e.name} inline; take it from a Secret (valueFrom.secretKeyRef)`),
    );
  });
}

/**
 * Agents drain before their pod goes: a preStop hook runs `atelier
 * agent-drain`, with a grace period longer than both the drain's own limit
 * and a shard (`shardTargetMs`, the coordinators' ATELIER_SHARD_TARGET_MS).
 */
export function agentsDrainBeforeStopping(objects: KubeObject[], shardTargetMs: number): string[] {
  return workloads(objects, "agent").flatMap((o) => {
    const pod = podSpec(o)!;
    const grace = pod.terminationGracePeriodSeconds ?? 30;
    return pod.containers.flatMap((c) => {
      const command = c.lifecycle?.preStop?.exec?.command ?? [];
      if (command[0] !== "atelier" || command[1] !== "agent-drain") return [`${named(o)}: container ${c.name} has no preStop \`atelier agent-drain\` (${JSON.stringify(command)})`];
      const at = command.indexOf("--timeout-s");
      const timeoutS = at < 0 ? 50 : Number(command[at + 1]);
      const problems: string[] = [];
      if (grace <= timeoutS) problems.push(`${named(o)}: terminationGracePeriodSeconds ${grace} is not longer than the drain's --timeout-s ${timeoutS}`);
      if (grace * 1_000 <= shardTargetMs) problems.push(`${named(o)}: terminationGracePeriodSeconds ${grace} is not longer than a shard (${shardTargetMs} ms)`);
      return problems;
    });
  });
}

/**
 * Agents reach only the coordinators' gRPC port, S3 and DNS: every egress
 * rule of a policy that selects them allows one of those, and the
 * coordinators' dashboard port (HTTP) admits only listed peers (an ingress
 * controller, Prometheus), never everyone.
 */
export function networkPoliciesConfineAgents(objects: KubeObject[], s3Ports: number[]): string[] {
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const [agent] = workloads(objects, "agent");
  const [coordinator] = workloads(objects, "coordinator");
  if (!agent || !coordinator) return ["no agent or coordinator workload"];
  const agentLabels = podLabels(agent);
  const coordinatorLabels = podLabels(coordinator);
  const problems: string[] = [];
  const agentPolicies = policies.filter((p) => selects(spec<{ podSelector: LabelSelector }>(p).podSelector, agentLabels));
  if (!agentPolicies.some((p) => spec<{ policyTypes?: string[] }>(p).policyTypes?.includes("Egress"))) problems.push("no NetworkPolicy limits the agents' egress");
  for (const policy of agentPolicies) {
    for (const rule of spec<{ egress?: PolicyRule[] }>(policy).egress ?? []) {
      const ports = (rule.ports ?? []).map((p) => Number(p.port));
      const toCoordinator = (rule.to ?? []).length > 0 && rule.to!.every((peer) => peer.podSelector && selects(peer.podSelector, coordinatorLabels) && !peer.ipBlock);
      const allowed = ports.length > 0 && ports.every((port) => port === 53 || s3Ports.includes(port) || (port === 7070 && toCoordinator));
      if (!allowed) problems.push(`${named(policy)}: agent egress rule ${JSON.stringify(rule)} reaches more than the coordinators' gRPC, S3 (${s3Ports.join(", ")}) and DNS`);
    }
  }
  for (const policy of policies.filter((p) => selects(spec<{ podSelector: LabelSelector }>(p).podSelector, coordinatorLabels))) {
    for (const rule of spec<{ ingress?: PolicyRule[] }>(policy).ingress ?? []) {
      const ports = (rule.ports ?? []).map((p) => Number(p.port));
      if ((ports.length === 0 || ports.includes(7080)) && (rule.from ?? []).length === 0) {
        problems.push(`${named(policy)}: the coordinators' HTTP port (7080) is open to everyone (${JSON.stringify(rule)})`);
      }
    }
  }
  return problems;
}

/**
 * Every ConfigMap and PersistentVolumeClaim a pod refers to is rendered with
 * it, every Service selects pods that have its target ports, and every
 * Ingress backend is a Service port.
 */
export function referencesResolve(objects: KubeObject[]): string[] {
  const configMaps = new Set(objects.filter((o) => o.kind === "ConfigMap").map((o) => o.metadata.name));
  const claims = new Set(objects.filter((o) => o.kind === "PersistentVolumeClaim").map((o) => o.metadata.name));
  const problems: string[] = [];
  for (const o of objects) {
    const pod = podSpec(o);
    if (!pod) continue;
    const text = JSON.stringify(pod);
    for (const [, name] of text.matchAll(/"configMap(?:Ref|KeyRef)?":\{[^}]*"name":"([^"]+)"/g)) {
      if (!configMaps.has(name!)) problems.push(`${named(o)}: ConfigMap ${name} is not in the manifests`);
    }
    for (const [, name] of text.matchAll(/"persistentVolumeClaim":\{[^}]*"claimName":"([^"]+)"/g)) {
      if (!claims.has(name!)) problems.push(`${named(o)}: PersistentVolumeClaim ${name} is not in the manifests`);
    }
  }
  for (const service of objects.filter((o) => o.kind === "Service")) {
    const { selector, ports } = spec<{ selector?: Record<string, string>; ports: { name?: string; targetPort?: string | number }[] }>(service);
    const backends = objects.filter((o) => podSpec(o) && selects({ matchLabels: selector }, podLabels(o)));
    if (backends.length === 0) {
      problems.push(`${named(service)}: selects no pods`);
      continue;
    }
    for (const port of ports) {
      const target = port.targetPort;
      const found = backends.some((o) => podSpec(o)!.containers.some((c) => c.ports?.some((p) => p.name === target || p.containerPort === target)));
      if (!found) problems.push(`${named(service)}: target port ${String(target)} is no port of the pods it selects`);
    }
  }
  type Backend = { service?: { name: string; port: { name?: string; number?: number } } };
  for (const ingress of objects.filter((o) => o.kind === "Ingress")) {
    const { defaultBackend, rules = [] } = spec<{ defaultBackend?: Backend; rules?: { http?: { paths: { backend: Backend }[] } }[] }>(ingress);
    const backends = [defaultBackend, ...rules.flatMap((rule) => rule.http?.paths.map((path) => path.backend) ?? [])];
    for (const { name, port } of backends.flatMap((backend) => (backend?.service ? [backend.service] : []))) {
      const service = objects.find((o) => o.kind === "Service" && o.metadata.name === name);
      const ports = service ? spec<{ ports: { name?: string; port: number }[] }>(service).ports : [];
      if (!ports.some((p) => p.name === port.name || p.port === port.number)) problems.push(`${named(ingress)}: backend ${name}:${port.name ?? port.number} is no Service port`);
    }
  }
  return problems;
}
