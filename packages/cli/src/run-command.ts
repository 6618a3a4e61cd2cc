import { CliError } from "./cli-error.ts";
import { unreachableMessage } from "./client-options.ts";

export type Command = (args: string[]) => Promise<void>;

/** Loads and runs one command; a failure is printed as `atelier NAME: message` and sets the exit code. */
export async function runCommand(name: string, load: () => Promise<Command>, args: string[]): Promise<void> {
  try {
    const command = await load();
    await command(args);
  } catch (error) {
    const err = error as Error & { details?: string };
    // gRPC errors carry the coordinator's message in `details`.
    console.error(`atelier ${name}: ${unreachableMessage(error) ?? err.details ?? err.message}`);
    if (!(error instanceof CliError) && !err.details && process.env.ATELIER_DEBUG) console.error(err.stack);
    process.exit(error instanceof CliError ? error.exitCode : 1);
  }
}
