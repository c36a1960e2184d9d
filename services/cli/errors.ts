/** An error meant for the person at the terminal: printed as one line, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export const fail = (message: string, exitCode = 2): never => {
  throw new CliError(message, exitCode);
};
