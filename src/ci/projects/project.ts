/**
 * A project: a repository whose own CI file (GitLab CI or GitHub Actions) the engine runs on each
 * push. It is kept as a pipeline of the team — so builds, logs, `sluice ci builds`/`watch`, pause
 * and the API work as for any pipeline — whose YAML carries a `sluice_project:` key (a top-level
 * key Concourse's schema drops, so the pipeline stays valid) and:
 *
 * - the resource `repo` (git), whose credentials are the Secret `<project>.repo` of the team's
 *   namespace, read as `((repo.username))` … by the credential manager;
 * - one job per job of the CI file (names kept across pushes), plus `ci-config`, whose builds
 *   report a CI file that cannot be run. No job has a trigger and manual triggers are off: the
 *   project runner creates their builds, already started, for each push.
 */
import { stringify } from "yaml";
import { z } from "zod";
import { readYaml } from "../pipeline/index.ts";

export const PROJECT_KEY = "sluice_project";
export const REPO_RESOURCE = "repo";
export const CONFIG_JOB = "ci-config";
export const CREDENTIALS_SECRET_SUFFIX = ".repo";

/** What keeps a push of a project from running, other than its CI file (a missing Secret). */
export class ProjectSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProjectSetupError";
  }
}

export const ProjectSpec = z.strictObject({
  format: z.enum(["gitlab", "github"]),
  repo: z.string().min(1),
  branch: z.string().min(1),
  /** The CI file, relative to the repository. */
  file: z.string().min(1),
  /** Which credentials the `<project>.repo` Secret holds. */
  credentials: z.enum(["none", "basic", "ssh"]),
  /** A Secret of the team's namespace whose keys are the project's variables (masked). */
  variables_secret: z.string().optional(),
  /** The image of jobs that name none. */
  default_image: z.string().optional(),
});
export type ProjectSpec = z.infer<typeof ProjectSpec>;

export const defaultCiFile = (format: ProjectSpec["format"]): string =>
  format === "gitlab" ? ".gitlab-ci.yml" : ".github/workflows";

function repoSource(spec: ProjectSpec): Record<string, string> {
  const source: Record<string, string> = { uri: spec.repo, branch: spec.branch };
  if (spec.credentials === "basic") {
    source["username"] = `((${REPO_RESOURCE}.username))`;
    source["password"] = `((${REPO_RESOURCE}.password))`;
  } else if (spec.credentials === "ssh") {
    source["private_key"] = `((${REPO_RESOURCE}.private_key))`;
  }
  return source;
}

/** The project's pipeline YAML, with a job for each name (and `ci-config`); pushes may call the webhook with `webhookToken`. */
export function projectPipelineYaml(
  spec: ProjectSpec,
  jobNames: readonly string[],
  webhookToken: string,
): string {
  const names = [CONFIG_JOB, ...jobNames.filter((name) => name !== CONFIG_JOB)];
  return stringify({
    [PROJECT_KEY]: spec,
    resources: [{ name: REPO_RESOURCE, type: "git", source: repoSource(spec), webhook_token: webhookToken }],
    jobs: names.map((name) => ({ name, disable_manual_trigger: true, plan: [{ get: REPO_RESOURCE }] })),
  });
}

/** The project a pipeline's YAML declares, or undefined for an ordinary pipeline. */
export function projectOf(configYaml: string): ProjectSpec | undefined {
  const document = readYaml(configYaml);
  if (!document.ok || typeof document.value !== "object" || document.value === null) return undefined;
  const parsed = ProjectSpec.safeParse((document.value as Record<string, unknown>)[PROJECT_KEY]);
  return parsed.success ? parsed.data : undefined;
}

/** The `repo` resource's webhook token in a project's YAML. */
export function webhookTokenOf(configYaml: string): string | undefined {
  const document = readYaml(configYaml);
  const resources = document.ok
    ? (document.value as { resources?: { name?: unknown; webhook_token?: unknown }[] }).resources
    : undefined;
  const token = resources?.find((r) => r.name === REPO_RESOURCE)?.webhook_token;
  return typeof token === "string" ? token : undefined;
}

/** Job names of a pipeline YAML, in order. */
export function jobNamesOf(configYaml: string): string[] {
  const document = readYaml(configYaml);
  const jobs = document.ok ? (document.value as { jobs?: { name?: unknown }[] }).jobs : undefined;
  return (jobs ?? []).map((job) => String(job.name));
}
