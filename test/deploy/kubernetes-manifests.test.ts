import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "@atelier/coordinator";
import { Ajv, type ValidateFunction } from "ajv";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { REPO_ROOT } from "../support/cli-process.ts";
import { ensureKubectl, runTool } from "../support/deploy-tools.ts";
import {
  agentsDrainBeforeStopping,
  agentsRequestGpu,
  containersRunAsNonRoot,
  coordinatorsHighlyAvailable,
  networkPoliciesConfineAgents,
  podSpec,
  probesUseGrpcHealth,
  referencesResolve,
  secretsNotInlined,
  workloads,
  type KubeObject,
} from "./kubernetes-invariants.ts";

// deploy/kubernetes rendered as `kubectl kustomize` renders it for
// `kubectl apply -k`, each overlay checked offline: every object against its
// schema, then the farm's invariants (kubernetes-invariants.ts).

const KUBE = join(REPO_ROOT, "deploy/kubernetes");
const OVERLAYS = readdirSync(join(KUBE, "overlays")).sort();

/** Custom resources that kubernetes-models has no schema for, and the JSON schemas committed for them (deploy/kubernetes/schemas/README.md). */
const CUSTOM_SCHEMAS: Record<string, string> = {
  "keda.sh/v1alpha1 ScaledObject": "keda.sh_scaledobject_v1alpha1.json",
  "monitoring.coreos.com/v1 ServiceMonitor": "monitoring.coreos.com_servicemonitor_v1.json",
  "monitoring.coreos.com/v1 PrometheusRule": "monitoring.coreos.com_prometheusrule_v1.json",
};

// The schemas' patterns are Go (RE2) regular expressions: the one RE2 construct
// in them that JavaScript lacks is a leading (?i) (after ^), which becomes the i flag.
const CASE_INSENSITIVE = /^(\^?)\(\?i\)/;
const re2Pattern = Object.assign(
  (pattern: string, flags: string) => (CASE_INSENSITIVE.test(pattern) ? new RegExp(pattern.replace(CASE_INSENSITIVE, "$1"), `${flags}i`) : new RegExp(pattern, flags)),
  { code: "re2Pattern" },
);
// They carry Kubernetes' own keywords (x-kubernetes-*) and formats (int32, int-or-string): not JSON Schema's to check.
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, logger: false, code: { regExp: re2Pattern } });
const customValidators = new Map<string, ValidateFunction>(
  Object.entries(CUSTOM_SCHEMAS).map(([kind, file]) => [kind, ajv.compile(JSON.parse(readFileSync(join(KUBE, "schemas", file), "utf8")) as object)]),
);

function render(overlay: string): KubeObject[] {
  const text = runTool("kubectl", ["kustomize", `deploy/kubernetes/overlays/${overlay}`]);
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

/** Problems of one object against its schema: Kubernetes' OpenAPI (kubernetes-models) for built-in kinds, a committed JSON schema for custom ones. */
async function schemaProblems(o: KubeObject): Promise<string[]> {
  const where = `${o.apiVersion} ${o.kind}/${o.metadata.name}`;
  const custom = customValidators.get(`${o.apiVersion} ${o.kind}`);
  if (custom) {
    return custom(o) ? [] : (custom.errors ?? []).map((e) => `${where}: ${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
  }
  let models: Record<string, new (data: unknown) => { validate(): void }>;
  try {
    const module = `kubernetes-models/${o.apiVersion}`;
    models = (await import(/* @vite-ignore */ module)) as typeof models;
  } catch {
    return [`${where}: no schema for apiVersion ${o.apiVersion}`];
  }
  const Model = models[o.kind];
  if (!Model) return [`${where}: no schema for kind ${o.kind} in ${o.apiVersion}`];
  // Kustomize wraps a long Secret value's base64 over lines; the API server's
  // decoder (Go's encoding/base64) ignores line breaks, the schema's format does not.
  const data = o.kind === "Secret" && o.data ? Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, v.replace(/\n/g, "")])) : o.data;
  try {
    new Model({ ...o, ...(data && { data }) }).validate();
    return [];
  } catch (error) {
    return [`${where}: ${(error as Error).message}`];
  }
}

/** The coordinators' ConfigMap (the one their container takes its environment from). */
function coordinatorConfig(objects: KubeObject[]): Record<string, string> {
  const [coordinator] = workloads(objects, "coordinator");
  const refs = podSpec(coordinator!)!.containers[0]!;
  const name = (refs as unknown as { envFrom?: { configMapRef?: { name: string } }[] }).envFrom?.find((e) => e.configMapRef)?.configMapRef?.name;
  const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === name);
  if (!configMap) throw new Error(`the coordinators' ConfigMap ${name} is not rendered`);
  return configMap.data ?? {};
}

describe("deploy/kubernetes", () => {
  const rendered = new Map<string, KubeObject[]>();
  beforeAll(() => {
    ensureKubectl();
    for (const overlay of OVERLAYS) rendered.set(overlay, render(overlay));
  });
  const objects = (overlay: string) => rendered.get(overlay)!;

  it("has the overlays that deploy/README.md documents", () => {
    expect(OVERLAYS).toEqual(["dev", "production", "production-hpa"]);
  });

  describe.each(OVERLAYS)("overlay %s", (overlay) => {
    it("renders only objects that match their schemas", async () => {
      const problems = (await Promise.all(objects(overlay).map(schemaProblems))).flat();
      expect(problems).toEqual([]);
      expect(objects(overlay).length).toBeGreaterThan(10);
    });

    it("agents request a GPU", () => expect(agentsRequestGpu(objects(overlay))).toEqual([]));
    it("every container runs as non-root", () => expect(containersRunAsNonRoot(objects(overlay))).toEqual([]));
    it("coordinators run 2+ replicas under a PodDisruptionBudget", () => expect(coordinatorsHighlyAvailable(objects(overlay))).toEqual([]));
    it("coordinator probes use the gRPC health service", () => expect(probesUseGrpcHealth(objects(overlay))).toEqual([]));
    it(overlay === "dev" ? "inlines no secret outside its generated development Secrets" : "inlines no Secret value", () => {
      expect(secretsNotInlined(objects(overlay), overlay === "dev")).toEqual([]);
    });
    it("ConfigMap and Service references resolve", () => expect(referencesResolve(objects(overlay))).toEqual([]));

    it("gives coordinators a configuration their own schema accepts, and agents a drain longer than a shard", () => {
      // Credentials come from the Secret, which is not part of the manifests outside dev.
      const config = loadConfig({ ...coordinatorConfig(objects(overlay)), S3_ACCESS_KEY_ID: "from-the-secret", S3_SECRET_ACCESS_KEY: "from-the-secret" });
      expect(agentsDrainBeforeStopping(objects(overlay), config.ATELIER_SHARD_TARGET_MS)).toEqual([]);
    });

    it("lets agents reach only the coordinators' gRPC, S3 and DNS, and the dashboard only an ingress", () => {
      expect(networkPoliciesConfineAgents(objects(overlay), overlay === "dev" ? [443, 9000] : [443])).toEqual([]);
    });
  });

  it("scales agents on the farm's queue depth: KEDA from zero in production, an HPA in production-hpa", () => {
    const scalers = (overlay: string) => objects(overlay).filter((o) => o.kind === "ScaledObject" || o.kind === "HorizontalPodAutoscaler");
    const [agent] = workloads(objects("production"), "agent");
    const target = { apiVersion: "apps/v1", kind: agent!.kind, name: agent!.metadata.name };
    const keda = scalers("production");
    expect(keda.map((o) => o.kind)).toEqual(["ScaledObject"]);
    expect(keda[0]!.spec).toMatchObject({ scaleTargetRef: target, minReplicaCount: 0, triggers: [{ type: "prometheus", metadata: { query: expect.stringContaining("atelier_queue_depth") } }] });
    const hpa = scalers("production-hpa");
    expect(hpa.map((o) => o.kind)).toEqual(["HorizontalPodAutoscaler"]);
    expect(hpa[0]!.spec).toMatchObject({ scaleTargetRef: target, metrics: [{ type: "External", external: { metric: { name: "atelier_queue_depth" } } }] });
    expect(scalers("dev")).toEqual([]);
    // The agents' replicas are the autoscaler's: a re-apply of the manifests must not reset them.
    expect(agent!.spec).not.toHaveProperty("replicas");
  });

  it("monitors with deploy/prometheus: the PrometheusRule carries alerts.yml's groups unchanged, and each ServiceMonitor finds a metrics port", () => {
    const alerts = parse(readFileSync(join(REPO_ROOT, "deploy/prometheus/alerts.yml"), "utf8")) as { groups: unknown[] };
    for (const overlay of ["production", "production-hpa"]) {
      const rules = objects(overlay).filter((o) => o.kind === "PrometheusRule");
      expect(rules.map((o) => o.spec)).toEqual([{ groups: alerts.groups }]);
      const monitors = objects(overlay).filter((o) => o.kind === "ServiceMonitor");
      expect(monitors.map((o) => o.metadata.name).sort()).toEqual(["atelier-agent", "atelier-coordinator"]);
      for (const monitor of monitors) {
        const { selector, endpoints } = monitor.spec as { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] };
        const services = objects(overlay).filter((o) => o.kind === "Service" && Object.entries(selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
        const ports = services.flatMap((s) => (s.spec as { ports: { name: string }[] }).ports.map((p) => p.name));
        // The job label is the Service's name: alerts.yml's AtelierAgentDown expects job="atelier-agent".
        expect(services.map((s) => s.metadata.name)).toContain(monitor.metadata.name);
        for (const endpoint of endpoints) expect(ports).toContain(endpoint.port);
      }
    }
  });

  it("the checks catch a broken manifest", async () => {
    const broken = structuredClone(objects("production"));
    const coordinator = workloads(broken, "coordinator")[0]!;
    const agent = workloads(broken, "agent")[0]!;
    (coordinator.spec as { replicas: number }).replicas = 1;
    const coordinatorContainer = podSpec(coordinator)!.containers[0]!;
    coordinatorContainer.readinessProbe = { httpGet: { path: "/healthz", port: 7080 } };
    coordinatorContainer.env = [{ name: "DATABASE_URL", value: "postgresql://atelier:hunter2@db/atelier" }];
    coordinatorContainer.securityContext = { ...coordinatorContainer.securityContext, runAsNonRoot: false, runAsUser: 0 };
    const agentContainer = podSpec(agent)!.containers[0]!;
    delete agentContainer.resources!.limits!["nvidia.com/gpu"];
    podSpec(agent)!.terminationGracePeriodSeconds = 5;
    broken.find((o) => o.kind === "PodDisruptionBudget")!.spec = { minAvailable: 1, selector: { matchLabels: { app: "nothing" } } };
    broken.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "inline" }, stringData: { password: "hunter2" } });
    const ingress = broken.find((o) => o.kind === "Ingress")!.spec as { rules: { http: { paths: { backend: { service: { port: { name: string } } } }[] } }[] };
    ingress.rules[0]!.http.paths[0]!.backend.service.port.name = "web";
    broken.splice(broken.findIndex((o) => o.kind === "PersistentVolumeClaim"), 1);
    const scaled = broken.find((o) => o.kind === "ScaledObject")!;
    (scaled.spec as Record<string, unknown>).minReplicas = 0;

    expect(agentsRequestGpu(broken)).toEqual([`StatefulSet/atelier-agent: container agent has no nvidia.com/gpu limit`]);
    expect(containersRunAsNonRoot(broken)).toEqual([
      "Deployment/atelier-coordinator: container coordinator: runAsNonRoot is not true",
      "Deployment/atelier-coordinator: container coordinator: runAsUser is 0 (root)",
    ]);
    expect(coordinatorsHighlyAvailable(broken)).toEqual([
      "Deployment/atelier-coordinator: 1 replica(s); coordinators need 2 or more",
      "Deployment/atelier-coordinator: no PodDisruptionBudget selects its pods",
    ]);
    expect(probesUseGrpcHealth(broken)).toEqual([expect.stringContaining("readinessProbe is not a gRPC health check on port 7070")]);
    expect(secretsNotInlined(broken, false)).toEqual([
      "Deployment/atelier-coordinator: container coordinator has DATABASE_URL inline; take it from a Secret (valueFrom.secretKeyRef)",
      "Secret/inline: a Secret with its values in the manifests",
    ]);
    expect(agentsDrainBeforeStopping(broken, 10_000)).toEqual([
      "StatefulSet/atelier-agent: terminationGracePeriodSeconds 5 is not longer than the drain's --timeout-s 50",
      "StatefulSet/atelier-agent: terminationGracePeriodSeconds 5 is not longer than a shard (10000 ms)",
    ]);
    expect(referencesResolve(broken)).toEqual([
      "StatefulSet/atelier-agent: PersistentVolumeClaim atelier-models is not in the manifests",
      "Ingress/atelier-dashboard: backend atelier-coordinator:web is no Service port",
    ]);
    expect(await schemaProblems(scaled)).toEqual([expect.stringContaining("must NOT have additional properties")]);
  });
});
