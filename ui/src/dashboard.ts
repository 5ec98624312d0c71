/**
 * The home page's pipelines and jobs, kept current by deltas: a change naming pipelines fetches
 * only those (their pipeline and jobs) and merges them in; a change naming none, or the 30 s
 * fallback, fetches everything again.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiFailure, get, Unauthorized, type ApiJob, type ApiPipeline, type ServerChange } from "./api.ts";
import { FALLBACK_MS } from "./hooks.ts";
import { onServerChange } from "./live.ts";
import { encode, navigate } from "./router.ts";

export interface Dashboard {
  pipelines: ApiPipeline[];
  jobs: ApiJob[];
}

type Named = NonNullable<ServerChange["pipelines"]>[number];
const keyOf = (team: string, name: string) => `${team}/${name}`;

async function everything(signal: AbortSignal): Promise<Dashboard> {
  const [pipelines, jobs] = await Promise.all([
    get<ApiPipeline[]>("/api/v1/pipelines", signal),
    get<ApiJob[]>("/api/v1/jobs", signal),
  ]);
  return { pipelines, jobs };
}

/** One pipeline and its jobs; none when it is gone (destroyed, or no longer visible). */
async function one(p: Named, signal: AbortSignal): Promise<Dashboard> {
  const base = `/api/v1/teams/${encode(p.team)}/pipelines/${encode(p.name)}`;
  try {
    const [pipeline, jobs] = await Promise.all([
      get<ApiPipeline>(base, signal),
      get<ApiJob[]>(`${base}/jobs`, signal),
    ]);
    return { pipelines: [pipeline], jobs };
  } catch (failure) {
    if (failure instanceof ApiFailure && (failure.status === 404 || failure.status === 403))
      return { pipelines: [], jobs: [] };
    throw failure;
  }
}

/** `current` with the named pipelines replaced by `fresh` (in place, so the order holds). */
export function merge(current: Dashboard, named: Named[], fresh: Dashboard): Dashboard {
  const changed = new Set(named.map((p) => keyOf(p.team, p.name)));
  const freshPipelines = new Map(fresh.pipelines.map((p) => [keyOf(p.team_name, p.name), p]));
  const pipelines = current.pipelines.flatMap((p) => {
    const key = keyOf(p.team_name, p.name);
    if (!changed.has(key)) return [p];
    const replaced = freshPipelines.get(key);
    freshPipelines.delete(key);
    return replaced ? [replaced] : [];
  });
  const jobs = current.jobs.filter((j) => !changed.has(keyOf(j.team_name, j.pipeline_name)));
  return { pipelines: [...pipelines, ...freshPipelines.values()], jobs: [...jobs, ...fresh.jobs] };
}

export function useDashboard(): { data: Dashboard | undefined; error: string | undefined } {
  const [data, setData] = useState<Dashboard | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    const abort = new AbortController();
    const fail = (failure: unknown) => {
      if (abort.signal.aborted) return;
      if (failure instanceof Unauthorized)
        return navigate(`/login?next=${encodeURIComponent(location.pathname)}`);
      setError((failure as Error).message);
    };
    const loaded = (next: Dashboard) => {
      setData(next);
      setError(undefined);
    };
    const all = () => everything(abort.signal).then(loaded, fail);
    const some = async (named: Named[]) => {
      const parts = await Promise.all(named.map((p) => one(p, abort.signal)));
      const fresh = { pipelines: parts.flatMap((d) => d.pipelines), jobs: parts.flatMap((d) => d.jobs) };
      setData((current) => (current ? merge(current, named, fresh) : current));
    };
    void all();
    const timer = setInterval(() => void all(), FALLBACK_MS);
    const stop = onServerChange(
      (change) => void (change.pipelines ? some(change.pipelines) : all()).catch(fail),
    );
    return () => {
      abort.abort();
      clearInterval(timer);
      stop();
    };
  }, []);
  return { data, error };
}
