/** A `.gitlab-ci.yml` after loading: its jobs with include, extends, default and !reference applied. */
import type { AllowFailure, Artifacts, CacheEntry, Need, OnlyExcept, Rule, When } from "./schema.ts";

export interface GitlabVariable {
  value: string;
  /** `$VAR` references in the value are expanded (GitLab's default). */
  expand: boolean;
}

export interface GitlabImage {
  name: string;
  /** `[""]` or `[]` clears the image's entrypoint; undefined keeps it. */
  entrypoint?: string[];
}

export interface GitlabService {
  name: string;
  alias: string;
  entrypoint?: string[];
  command?: string[];
  variables: Record<string, string>;
}

export interface GitlabJob {
  name: string;
  /** The job this one is a copy of (`parallel:`). */
  parallelOf?: string;
  stage: string;
  image?: GitlabImage;
  services: GitlabService[];
  beforeScript: string[];
  script: string[];
  afterScript: string[];
  variables: Record<string, GitlabVariable>;
  /** Whether the top-level variables reach this job (`inherit: variables`). */
  inheritVariables: boolean | string[];
  rules?: Rule[];
  only?: OnlyExcept;
  except?: OnlyExcept;
  needs?: Need[];
  dependencies?: string[];
  artifacts?: Artifacts;
  cache: CacheEntry[];
  when: When;
  allowFailure: AllowFailure | undefined;
  retry: { max: number; when: string[]; exitCodes: number[] };
  /** Milliseconds; undefined: the run's default. */
  timeoutMs?: number;
}

export interface GitlabConfig {
  /** The files read, main file first. */
  files: string[];
  stages: string[];
  variables: Record<string, GitlabVariable>;
  workflowRules?: Rule[];
  /** In file order. */
  jobs: GitlabJob[];
}
