// `atelier up` when it runs compiled (bin/compiled-entry.mjs bundles from
// here): the command and its error reporting as main.ts runs them, without
// the other commands.
import { runCommand } from "./run-command.ts";

await runCommand("up", async () => (await import("./commands/up.ts")).upCommand, process.argv.slice(3));
