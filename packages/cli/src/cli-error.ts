/** An error whose message is the whole story for the user: printed without a stack. */
export class CliError extends Error {
  override name = "CliError";
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}
