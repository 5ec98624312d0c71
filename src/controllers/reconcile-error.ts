/**
 * A reconcile failure with a named reason and a message a person can act on. `stalled` marks
 * failures that retrying cannot fix until the spec (or something it points at) changes.
 */
export class ReconcileError extends Error {
  readonly reason: string;
  readonly stalled: boolean;
  /** the condition type (besides Ready) that records this failure, e.g. FetchFailed */
  readonly conditionType: string | undefined;

  constructor(
    reason: string,
    message: string,
    options: { stalled?: boolean; conditionType?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ReconcileError";
    this.reason = reason;
    this.stalled = options.stalled ?? false;
    this.conditionType = options.conditionType;
  }
}
