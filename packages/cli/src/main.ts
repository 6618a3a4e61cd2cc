import { runCommand, type Command } from "./run-command.ts";

const USAGE = `atelier: a render farm for diffusion models

  atelier demo [--out DIR] [--agents N]      run the whole farm in this process and render the examples
  atelier up                                 serve a coordinator (embedded defaults unless configured)
  atelier agent --coordinator HOST:PORT [--name NAME] [--slots N] [--models DIR] [--providers cpu,...] [--clip-model DIR]
  atelier submit FILE|PLAN.yaml [--model M --width W --height H --steps N --guidance G --sampler S --seed N
                       --count N --tenant T --name NAME --priority P] [--watch] [--strict] [--dry-run]
                       [--clip score|fidelity --min-clip-score X --max-rerolls N --counter-prompts "P1|P2"]
                                             a plan (YAML/JSON: templates, wildcards, seeds, X/Y/Z axes) expands on the
                                             coordinator; --dry-run prints its item count, megapixel-steps and ETA, writes nothing
  atelier status BATCH [--json]
  atelier report BATCH [--json]              CLIP figures: accepted/rejected/exhausted, score deciles, fidelity rate
  atelier outputs BATCH --download DIR
  atelier grid BATCH [--out DIR] [--tile PX]  a labelled X/Y grid image per Z value of a plan's sweep
  atelier export BATCH... --out DIR|s3://bucket/prefix [--format webdataset|parquet|both] [--shard-items N]
                       [--min-clip-score X] [--include-rejected]   a dataset: WebDataset tar shards, Parquet, _stats.json
  atelier cancel BATCH
  atelier agents [--json]
  atelier agents enroll --name N [--pool P]   enroll an agent: prints its credential once
  atelier agents revoke NAME
  atelier tokens create --tenant T [--role user|admin] [--name LABEL]   prints a new API token once
  atelier tokens list [--tenant T] | atelier tokens revoke ID
  atelier creators add|list|update|remove --tenant T ...   creators whose keywords are measured and paid (versioned terms)
  atelier royalties --tenant T --from DATE --to DATE [--price-per-image P] [--platform-share S] [--format table|csv|json]
                    [--creator ID --items]         a royalty statement per creator, or the images behind one creator's figures
  atelier policy set|show|queue|release ...   content policy (blocked terms, patterns, named people) and quarantined images
  atelier models inspect DIR                  a model folder's architecture, sessions (inputs, outputs, dtypes), VAE scale, scheduler
  atelier models make-test --arch ARCH DIR    write a small random-weight model of that architecture (sd1, sd2-v, inpainting, lcm,
                                              turbo, sdxl, sdxl-refiner, upscaler, upscaler-x2)
  atelier verify FILE [--json]               whether a PNG or JPEG carries Atelier's AI label (XMP) and invisible watermark
  atelier webhooks add URL --events E,... [--tenant T] | list | remove ID | rotate ID | test ID | deliveries ID   signed batch events

Client commands reach the coordinator at --coordinator HOST:PORT or $ATELIER_COORDINATOR (default 127.0.0.1:7070)
with the API token in --token or $ATELIER_TOKEN (and --tls-ca FILE or $ATELIER_TLS_CA for a private CA).
tokens and agents enroll/revoke use DATABASE_URL directly when it is set, else the API with an admin token;
creators, royalties and policy need DATABASE_URL.
Configuration of \`up\`: DATABASE_URL, NATS_URL, S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY (see README).`;

// Each command loads only what it needs: a coordinator does not load
// onnxruntime, and a client command starts in a fraction of the time.
const COMMANDS: Record<string, () => Promise<Command>> = {
  demo: async () => (await import("./commands/demo.ts")).demoCommand,
  up: async () => (await import("./commands/up.ts")).upCommand,
  agent: async () => (await import("./commands/agent.ts")).agentCommand,
  "agent-drain": async () => (await import("./commands/agent-drain.ts")).agentDrainCommand,
  submit: async () => (await import("./commands/submit.ts")).submitCommand,
  status: async () => (await import("./commands/status.ts")).statusCommand,
  report: async () => (await import("./commands/report.ts")).reportCommand,
  outputs: async () => (await import("./commands/outputs.ts")).outputsCommand,
  grid: async () => (await import("./commands/grid.ts")).gridCommand,
  export: async () => (await import("./commands/export.ts")).exportCommand,
  cancel: async () => (await import("./commands/cancel.ts")).cancelCommand,
  agents: async () => (await import("./commands/agents.ts")).agentsCommand,
  tokens: async () => (await import("./commands/tokens.ts")).tokensCommand,
  models: async () => (await import("./commands/models.ts")).modelsCommand,
  verify: async () => (await import("./commands/verify.ts")).verifyCommand,
  webhooks: async () => (await import("./commands/webhooks.ts")).webhooksCommand,
  creators: async () => (await import("./commands/creators.ts")).creatorsCommand,
  royalties: async () => (await import("./commands/royalties.ts")).royaltiesCommand,
  policy: async () => (await import("./commands/policy.ts")).policyCommand,
};

const [name, ...args] = process.argv.slice(2);
const load = name ? COMMANDS[name] : undefined;
if (!name || !load) {
  console.log(USAGE);
  process.exit(name && name !== "help" && name !== "--help" ? 2 : 0);
}
await runCommand(name, load, args);
