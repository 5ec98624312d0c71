/** An answer other than success, with the status and a message a person can act on. */
export class ApiError extends Error {
  readonly status: number;
  /** extra JSON fields of the answer (set-pipeline's `errors` and `warnings`) */
  readonly details: Record<string, unknown>;

  constructor(status: number, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.details = details;
  }
}

export const notFound = (what: string) => new ApiError(404, `${what} not found`);
export const badRequest = (message: string) => new ApiError(400, message);

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A name that also names Kubernetes objects (a Secret, a namespace suffix): a DNS label of up to `max` characters. */
export function checkedName(what: string, name: string, max = 63): string {
  if (!DNS_LABEL.test(name) || name.length > max)
    throw badRequest(
      `${what} ${JSON.stringify(name)}: lowercase letters, digits and '-', at most ${max} characters`,
    );
  return name;
}
