import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT, startCommand } from "../support/cli-process.ts";
import { freePort } from "../support/free-port.ts";
import { ensureDockerCompose, runTool } from "../support/deploy-tools.ts";
import { SECRET_NAME } from "./kubernetes-invariants.ts";

// deploy/docker-compose.yml as Docker Compose reads it (`docker-compose config`
// validates it and resolves anchors and variables), checked for the same
// invariants as the Kubernetes manifests.

const COMPOSE_FILE = "deploy/docker-compose.yml";

interface ComposeService {
  image?: string;
  build?: { args?: Record<string, string> };
  user?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: { target: number; published?: string | number; host_ip?: string }[] | string[];
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  healthcheck?: { test: string[] };
  volumes?: { source?: string; target: string; read_only?: boolean }[] | string[];
  deploy?: { resources?: { reservations?: { devices?: { count?: number | string; capabilities?: string[] }[] } } };
}
type Services = Record<string, ComposeService>;

const isCoordinator = (s: ComposeService) => s.command?.[0] === "up" && s.image?.startsWith("atelier");
const isAgent = (s: ComposeService) => (s.command ?? []).join(" ").includes("exec atelier agent");

/** Problems with the compose farm's invariants, one line each. */
function composeProblems(services: Services, raw: Services): string[] {
  const problems: string[] = [];
  const entries = Object.entries(services);
  const coordinators = entries.filter(([, s]) => isCoordinator(s));
  const agents = entries.filter(([, s]) => isAgent(s));
  if (coordinators.length < 2) problems.push(`${coordinators.length} coordinator(s); the farm runs 2 or more`);
  if (agents.length < 2) problems.push(`${agents.length} agent(s); the farm runs 2`);
  for (const [name, s] of agents) {
    const devices = s.deploy?.resources?.reservations?.devices ?? [];
    if (!devices.some((d) => d.capabilities?.includes("gpu") && Number(d.count ?? 0) >= 1)) problems.push(`${name}: reserves no GPU`);
    const args = s.build?.args ?? {};
    if ((s.environment?.ATELIER_PROVIDERS ?? "").includes("cuda") && (args.ONNXRUNTIME_NODE_INSTALL !== "cuda12" || !/cudnn/.test(args.RUNTIME_IMAGE ?? ""))) {
      problems.push(`${name}: uses the cuda provider in an image built without it (build args ONNXRUNTIME_NODE_INSTALL=cuda12 and a CUDA + cuDNN RUNTIME_IMAGE)`);
    }
    const coordinatorOnly = Object.keys(s.environment ?? {}).filter((key) => SECRET_NAME.test(key) || /^(DATABASE|S3|NATS)_/.test(key));
    if (coordinatorOnly.length > 0) problems.push(`${name}: an agent is given ${coordinatorOnly.join(", ")}; agents hold only their credential`);
  }
  for (const [name, s] of entries) {
    const user = (s.user ?? "").split(":")[0];
    if (!user || user === "root" || user === "0") problems.push(`${name}: runs as ${user || "the image's user (root unless the image says otherwise)"}; give a non-root user`);
    if (s.read_only !== true) problems.push(`${name}: root filesystem is writable (read_only)`);
    if (!s.cap_drop?.includes("ALL")) problems.push(`${name}: keeps Linux capabilities (cap_drop: [ALL])`);
    if (!s.security_opt?.includes("no-new-privileges:true")) problems.push(`${name}: may gain privileges (no-new-privileges)`);
    const ports = (s.ports ?? []).map((p) => (typeof p === "string" ? Number(p.split("/")[0]!.split(":").pop()) : p.target));
    if (ports.length > 0 && (!isCoordinator(s) || ports.some((p) => p !== 7070 && p !== 7080))) problems.push(`${name}: publishes ${ports.join(", ")}; only the coordinators' gRPC (7070) and dashboard (7080) are published`);
    // Secrets come from the environment of whoever runs compose; the file holds only development defaults for them.
    for (const [key, value] of Object.entries(raw[name]?.environment ?? {})) {
      if ((SECRET_NAME.test(key) || /:\/\/[^/@\s:]+:[^/@\s]+@/.test(value)) && !value.includes("${")) problems.push(`${name}: ${key} is written into the file; take it from a variable (\${NAME:-dev default})`);
    }
  }
  for (const [name, s] of coordinators) {
    const test = (s.healthcheck?.test ?? []).join(" ");
    if (!/grpc-health-check/.test(test) || !/127\.0\.0\.1:7070/.test(test) || !/SERVING/.test(test)) problems.push(`${name}: its healthcheck is not the gRPC health service on 7070`);
    const env = s.environment ?? {};
    const minio = services.minio?.environment ?? {};
    if (env.S3_ACCESS_KEY_ID === minio.MINIO_ROOT_USER || env.S3_SECRET_ACCESS_KEY === minio.MINIO_ROOT_PASSWORD) problems.push(`${name}: uses MinIO's root credentials; give it the bucket's own user`);
  }
  return problems;
}

function composeConfig(env: Record<string, string>): Services {
  return (parse(runTool("docker-compose", ["-f", COMPOSE_FILE, "config"], env)) as { services: Services }).services;
}

describe("deploy/docker-compose.yml", () => {
  let services: Services;
  const raw = (parse(readFileSync(join(REPO_ROOT, COMPOSE_FILE), "utf8")) as { services: Services }).services;
  // Credentials as whoever runs compose sets them (docker-compose takes a second or more to start: it runs once).
  const fromEnv = { POSTGRES_PASSWORD: "pg-from-env", ATELIER_S3_SECRET: "s3-from-env", MINIO_ROOT_PASSWORD: "root-from-env" };
  beforeAll(() => {
    ensureDockerCompose();
    services = composeConfig(fromEnv);
  });

  it("validates with docker-compose and runs Postgres, NATS, MinIO, two coordinators and two GPU agents", () => {
    expect(Object.keys(services).sort()).toEqual(["agent-1", "agent-2", "agent-credentials", "coordinator-1", "coordinator-2", "minio", "minio-setup", "nats", "postgres"]);
    expect(composeProblems(services, raw)).toEqual([]);
  });

  it("takes credentials from the environment when it sets them", () => {
    for (const name of ["coordinator-1", "coordinator-2"]) {
      expect(services[name]!.environment).toMatchObject({ DATABASE_URL: "postgresql://atelier:pg-from-env@postgres:5432/atelier", S3_SECRET_ACCESS_KEY: "s3-from-env" });
    }
    expect(services["agent-credentials"]!.environment!.DATABASE_URL).toBe("postgresql://atelier:pg-from-env@postgres:5432/atelier");
    expect(services.postgres!.environment!.POSTGRES_PASSWORD).toBe("pg-from-env");
    expect(services.minio!.environment!.MINIO_ROOT_PASSWORD).toBe("root-from-env");
    expect(services["minio-setup"]!.environment).toMatchObject({ MINIO_ROOT_PASSWORD: "root-from-env", S3_SECRET_ACCESS_KEY: "s3-from-env" });
  });

  it("gives the coordinators a MinIO user whose policy reaches only their bucket", () => {
    const script = readFileSync(join(REPO_ROOT, "deploy/kubernetes/dev/minio-setup.sh"), "utf8");
    const volumes = (services["minio-setup"]!.volumes ?? []).map((v) => (typeof v === "string" ? v : `${v.source}:${v.target}`));
    expect(volumes.some((v) => v.includes("deploy/kubernetes/dev/minio-setup.sh:/setup/minio-setup.sh"))).toBe(true);
    const resources = [...script.matchAll(/"Resource": \[([^\]]*)\]/g)].map(([, list]) => list);
    expect(resources).toEqual(['"arn:aws:s3:::$S3_BUCKET"', '"arn:aws:s3:::$S3_BUCKET/*"']);
    expect(script).toMatch(/mc admin policy attach farm atelier-bucket --user "\$S3_ACCESS_KEY_ID"/);
    expect(services["coordinator-1"]!.environment!.S3_ACCESS_KEY_ID).toBe(services["minio-setup"]!.environment!.S3_ACCESS_KEY_ID);
  });

  it("has the coordinators' healthcheck ask the gRPC health service: passing while SERVING, failing otherwise", async () => {
    const script = services["coordinator-1"]!.healthcheck!.test.at(-1)!;
    const exitCode = async (status: string) => {
      const port = await freePort();
      // A health service as the coordinator serves it (grpc-health-check), on loopback.
      const server = startCommand(process.execPath, ["-e", `
        const g = require("@grpc/grpc-js"); const { HealthImplementation } = require("grpc-health-check");
        const server = new g.Server(); new HealthImplementation({ "": "${status}" }).addToServer(server);
        server.bindAsync("127.0.0.1:${port}", g.ServerCredentials.createInsecure(), () => console.log("listening"));`]);
      try {
        while (!server.output().includes("listening")) await new Promise((resolve) => setTimeout(resolve, 20));
        return await startCommand(process.execPath, ["-e", script.replace("127.0.0.1:7070", `127.0.0.1:${port}`)]).exited;
      } finally {
        server.child.kill();
        await server.exited;
      }
    };
    expect(await Promise.all([exitCode("SERVING"), exitCode("NOT_SERVING")])).toEqual([0, 1]);
  });

  it("the checks catch a broken compose file", () => {
    const broken = structuredClone(services);
    delete broken["coordinator-2"];
    broken["agent-1"]!.deploy = {};
    broken["agent-1"]!.build = { args: {} };
    broken["agent-2"]!.environment = { ...broken["agent-2"]!.environment, DATABASE_URL: "postgresql://x" };
    broken.minio!.user = "root";
    broken.minio!.ports = [{ target: 9000, published: "9000" }];
    const brokenRaw = structuredClone(raw);
    brokenRaw.postgres!.environment!.POSTGRES_PASSWORD = "hunter2";
    broken["coordinator-1"]!.environment!.S3_ACCESS_KEY_ID = broken.minio!.environment!.MINIO_ROOT_USER!;
    expect(composeProblems(broken, brokenRaw)).toEqual([
      "1 coordinator(s); the farm runs 2 or more",
      "agent-1: reserves no GPU",
      "agent-1: uses the cuda provider in an image built without it (build args ONNXRUNTIME_NODE_INSTALL=cuda12 and a CUDA + cuDNN RUNTIME_IMAGE)",
      "agent-2: an agent is given DATABASE_URL; agents hold only their credential",
      "minio: runs as root; give a non-root user",
      "minio: publishes 9000; only the coordinators' gRPC (7070) and dashboard (7080) are published",
      "postgres: POSTGRES_PASSWORD is written into the file; take it from a variable (${NAME:-dev default})",
      "coordinator-1: uses MinIO's root credentials; give it the bucket's own user",
    ]);
  });
});
