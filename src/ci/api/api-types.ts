/**
 * The JSON the CI API answers, as its clients read it (the CLI's client and the web UI, which
 * imports this file for its types only): Concourse's field names.
 */
export interface ApiPipeline {
  id: number;
  name: string;
  paused: boolean;
  archived: boolean;
  team_name: string;
}

export interface ApiBuild {
  id: number;
  name: string;
  status: string;
  team_name: string;
  job_name?: string;
  pipeline_name?: string;
  manually_triggered: boolean;
  start_time?: number | null;
  end_time?: number | null;
}

export interface ApiJob {
  id: number;
  name: string;
  team_name: string;
  pipeline_name: string;
  paused: boolean;
  disable_manual_trigger: boolean;
  next_build: ApiBuild | null;
  finished_build: ApiBuild | null;
  waiting?: { reason: string; inputs: unknown[]; decided_at: number };
}

export interface ApiResource {
  id: number;
  name: string;
  type: string;
  last_checked?: number;
  pinned_version_id?: number;
  pin_comment?: string;
  check_error?: string;
}

export interface ApiUser {
  user_name: string;
  is_admin: boolean;
  /** Team → its roles for this user: `owner` or `viewer`. */
  teams: Record<string, string[]>;
}
