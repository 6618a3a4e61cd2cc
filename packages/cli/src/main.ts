import { agentCommand } from "./commands/agent.ts";
import { agentsCommand } from "./commands/agents.ts";
import { cancelCommand } from "./commands/cancel.ts";
import { demoCommand } from "./commands/demo.ts";
import { outputsCommand } from "./commands/outputs.ts";
import { statusCommand } from "./commands/status.ts";
import { submitCommand } from "./commands/submit.ts";
import { upCommand } from "./commands/up.ts";
import { CliError } from "./cli-error.ts";

const USAGE = `atelier: a render farm for diffusion models

  atelier demo [--out DIR] [--agents N]      run the whole farm in this process and render the examples
  atelier up                                 serve a coordinator (embedded defaults unless configured)
  atelier agent --coordinator HOST:PORT [--name NAME] [--slots N] [--models DIR] [--providers cpu,...]
  atelier submit FILE [--model M --width W --height H --steps N --guidance G --sampler S --seed N
                       --count N --tenant T --name NAME --priority P] [--watch] [--strict]
  atelier status BATCH [--json]
  atelier outputs BATCH --download DIR
  atelier cancel BATCH
  atelier agents [--json]

Client commands reach the coordinator at --coordinator HOST:PORT or $ATELIER_COORDINATOR (default 127.0.0.1:7070).
Configuration of \`up\`: DATABASE_URL, NATS_URL, S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY (see README).`;

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  demo: demoCommand,
  up: upCommand,
  agent: agentCommand,
  submit: submitCommand,
  status: statusCommand,
  outputs: outputsCommand,
  cancel: cancelCommand,
  agents: agentsCommand,
};

const [name, ...args] = process.argv.slice(2);
const command = name ? COMMANDS[name] : undefined;
if (!command) {
  console.log(USAGE);
  process.exit(name && name !== "help" && name !== "--help" ? 2 : 0);
}
try {
  await command(args);
} catch (error) {
  const err = error as Error & { details?: string };
  // gRPC errors carry the coordinator's message in `details`.
  console.error(`atelier ${name}: ${err.details ?? err.message}`);
  if (!(error instanceof CliError) && !err.details && process.env.ATELIER_DEBUG) console.error(err.stack);
  process.exit(error instanceof CliError ? error.exitCode : 1);
}
