/**
 * Problems found in a pipeline, each with the path of the value it is about in Concourse's style
 * (`jobs[0].plan[2].task`).
 */
export interface PipelineIssue {
  /** Where, e.g. `jobs[0].plan[2].task`; empty for the whole pipeline. */
  path: string;
  message: string;
}

export function formatPath(segments: readonly PropertyKey[]): string {
  return segments
    .map((s, i) => {
      if (typeof s === "number") return `[${s}]`;
      const key = String(s);
      if (!/^[\w-]+$/.test(key)) return `[${JSON.stringify(key)}]`;
      return i === 0 ? key : `.${key}`;
    })
    .join("");
}

/** `path: message`, as `sluice ci validate-pipeline` prints an issue. */
export function formatIssue(issue: PipelineIssue): string {
  return issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`;
}

export interface PipelineIssues {
  errors: PipelineIssue[];
  warnings: PipelineIssue[];
}

/** Collects the errors and warnings of the semantic checks. */
export class IssueCollector implements PipelineIssues {
  readonly errors: PipelineIssue[] = [];
  readonly warnings: PipelineIssue[] = [];

  error(path: readonly PropertyKey[], message: string): void {
    this.errors.push({ path: formatPath(path), message });
  }

  warn(path: readonly PropertyKey[], message: string): void {
    this.warnings.push({ path: formatPath(path), message });
  }
}
