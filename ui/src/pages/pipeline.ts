/**
 * A pipeline: its jobs in columns by `passed` (each with its state, why it waits, and a trigger
 * button), its resources with their check errors and a check button, pause and unpause.
 */
import { html } from "htm/preact";
import { concerning, get, send, type ApiJob, type ApiPipeline, type ApiResource } from "../api.ts";
import { ago } from "../format.ts";
import { useRef, useState } from "preact/hooks";
import { jobColumns } from "../graph.ts";
import { GraphEdges } from "../graph-edges.ts";
import { useActions, useLoad } from "../hooks.ts";
import { mayChange, useUser } from "../user.ts";
import { encode, Link, navigate } from "../router.ts";
import { jobStatus, StatusMark, StatusWord } from "../status.ts";
import { ResourceVersions } from "./resource-versions.ts";

export function PipelinePage(props: { team: string; pipeline: string }) {
  const base = `/api/v1/teams/${encode(props.team)}/pipelines/${encode(props.pipeline)}`;
  const { data, error, reload } = useLoad(
    async (signal) => {
      const [pipeline, jobs, resources, config] = await Promise.all([
        get<ApiPipeline>(base, signal),
        get<ApiJob[]>(`${base}/jobs`, signal),
        get<ApiResource[]>(`${base}/resources`, signal),
        get<{ config: { jobs?: { name: string; plan?: unknown[] }[] } }>(`${base}/config`, signal),
      ]);
      return { pipeline, jobs, resources, graph: jobColumns(config.config.jobs ?? []) };
    },
    [base],
    concerning(props.team, props.pipeline),
  );
  const { acting, failure, act } = useActions(reload);
  const change = mayChange(useUser(), props.team);
  if (!data)
    return html`<main>
      ${error ? html`<p class="error" role="alert">${error}</p>` : html`<p>Loading…</p>`}
    </main>`;
  const { pipeline, jobs, resources, graph } = data;
  const jobPath = (name: string) =>
    `/teams/${encode(props.team)}/pipelines/${encode(props.pipeline)}/jobs/${encode(name)}`;
  const trigger = (job: ApiJob) =>
    act(`trigger ${job.name}`, async () => {
      const build = (await send("POST", `${base}/jobs/${encode(job.name)}/builds`)) as { id: number };
      navigate(`/builds/${build.id}`);
    });
  return html`<main>
    <header class="page-head">
      <h1><span class="team">${props.team}</span> / ${pipeline.name}</h1>
      ${pipeline.paused && html`<span class="badge">paused</span>`}
      ${
        change &&
        html`<button
          class="action"
          disabled=${!!acting}
          onClick=${() => act(pipeline.paused ? "unpause" : "pause", () => send("PUT", `${base}/${pipeline.paused ? "unpause" : "pause"}`))}
        >
          ${pipeline.paused ? "Unpause" : "Pause"}
        </button>`
      }
    </header>
    ${(failure ?? error) && html`<p class="error" role="alert">${failure ?? error}</p>`}
    <${JobGraph}
      graph=${graph}
      jobs=${jobs}
      jobPath=${jobPath}
      busy=${!!acting}
      change=${change}
      onTrigger=${trigger}
    />
    <${ResourceTable}
      resources=${resources}
      busy=${!!acting}
      change=${change}
      onCheck=${(name: string) => act(`check ${name}`, () => send("POST", `${base}/resources/${encode(name)}/check`, {}))}
      versions=${(r: ApiResource) =>
        html`<${ResourceVersions}
          base=${base}
          resource=${r}
          change=${change}
          act=${act}
          onChanged=${reload}
        />`}
    />
  </main>`;
}

function JobGraph(props: {
  graph: ReturnType<typeof jobColumns>;
  jobs: ApiJob[];
  jobPath: (name: string) => string;
  busy: boolean;
  change: boolean;
  onTrigger: (job: ApiJob) => void;
}) {
  const { graph } = props;
  const byName = new Map(props.jobs.map((j) => [j.name, j]));
  const container = useRef<HTMLElement | null>(null);
  return html`<section aria-label="jobs" class="graph" ref=${container}>
    <${GraphEdges} container=${container} edges=${graph.edges} layout=${props.jobs} />
    ${graph.columns.map(
      (column, i) =>
        html`<ol class="column" key=${i}>
          ${column.map((name) => {
            const job = byName.get(name);
            const upstream = graph.edges.filter((e) => e.to === name).map((e) => e.from);
            return (
              job &&
              html`<${JobBox}
                key=${name}
                job=${job}
                upstream=${upstream}
                href=${props.jobPath(name)}
                busy=${props.busy}
                change=${props.change}
                onTrigger=${() => props.onTrigger(job)}
              />`
            );
          })}
        </ol>`,
    )}
  </section>`;
}

function JobBox(props: {
  job: ApiJob;
  upstream: string[];
  href: string;
  busy: boolean;
  change: boolean;
  onTrigger: () => void;
}) {
  const { job } = props;
  const status = jobStatus(job);
  const latest = job.next_build ?? job.finished_build;
  return html`<li class=${`job status-${status}`} data-job=${job.name}>
    <${StatusMark} status=${status} />
    <${Link} href=${latest ? `/builds/${latest.id}` : props.href}><strong>${job.name}</strong><//>
    ${latest && html` <span class="build-name">#${latest.name}</span> <${StatusWord} status=${latest.status} />`}
    ${props.upstream.length > 0 && html`<p class="passed">after ${props.upstream.join(", ")}</p>`}
    ${job.waiting && html`<p class="waiting">waiting: ${job.waiting.reason}</p>`}
    <div class="job-actions">
      <${Link} href=${props.href}>builds<//>
      ${
        props.change &&
        html`<button
          disabled=${props.busy || job.disable_manual_trigger}
          title=${job.disable_manual_trigger ? "disable_manual_trigger is set" : ""}
          onClick=${props.onTrigger}
          aria-label=${`trigger ${job.name}`}
        >
          Trigger
        </button>`
      }
    </div>
  </li>`;
}

function ResourceTable(props: {
  resources: ApiResource[];
  busy: boolean;
  change: boolean;
  onCheck: (name: string) => void;
  versions: (resource: ApiResource) => unknown;
}) {
  const [open, setOpen] = useState<string | undefined>(undefined);
  return html`<section aria-label="resources">
    <h2>Resources</h2>
    <table class="resources">
      <thead>
        <tr>
          <th>name</th>
          <th>type</th>
          <th>checked</th>
          <th>state</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${props.resources.map(
          (r) =>
            html`<tr key=${r.name} class=${r.pinned_version_id !== undefined ? "pinned" : ""}>
                <td>${r.name}</td>
                <td>${r.type}</td>
                <td>${ago(r.last_checked)}</td>
                <td>
                  ${r.check_error ? html`<span class="error">${r.check_error}</span>` : r.pin_comment ? `pinned: ${r.pin_comment}` : "ok"}
                </td>
                <td>
                  ${
                    props.change &&
                    html`<button
                      disabled=${props.busy}
                      aria-label=${`check ${r.name}`}
                      onClick=${() => props.onCheck(r.name)}
                    >
                      Check
                    </button>`
                  }
                  <button
                    aria-expanded=${open === r.name}
                    aria-label=${`versions of ${r.name}`}
                    onClick=${() => setOpen(open === r.name ? undefined : r.name)}
                  >
                    Versions
                  </button>
                </td>
              </tr>
              ${
                open === r.name &&
                html`<tr class="versions-row">
                  <td colspan="5">${props.versions(r)}</td>
                </tr>`
              }`,
        )}
      </tbody>
    </table>
  </section>`;
}
