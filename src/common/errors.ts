/** Exit codes of the `sluice` CLI (documented in docs/cli.md). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
} as const;

/** An error whose message is meant for a person; printed without a stack trace. */
export class SluiceError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;
  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "SluiceError";
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}
