/** A job's builds, newest first, paged older; trigger. */
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { concerning, get, send, type ApiBuild, type ApiJob } from "../api.ts";
import { ago, buildDuration } from "../format.ts";
import { useLoad } from "../hooks.ts";
import { encode, Link, navigate } from "../router.ts";
import { StatusMark, StatusWord } from "../status.ts";
import { mayChange, useUser } from "../user.ts";

export function JobPage(props: { team: string; pipeline: string; job: string }) {
  const base = `/api/v1/teams/${encode(props.team)}/pipelines/${encode(props.pipeline)}/jobs/${encode(props.job)}`;
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const user = useUser();
  const { data, error } = useLoad(
    async (signal) => ({
      job: await get<ApiJob>(base, signal),
      builds: await get<ApiBuild[]>(`${base}/builds?limit=50`, signal),
    }),
    [base],
    concerning(props.team, props.pipeline),
  );
  const trigger = async () => {
    try {
      const build = (await send("POST", `${base}/builds`)) as { id: number };
      navigate(`/builds/${build.id}`);
    } catch (err) {
      setFailure((err as Error).message);
    }
  };
  return html`<main>
    <header class="page-head">
      <h1>
        <${Link} href=${`/teams/${encode(props.team)}/pipelines/${encode(props.pipeline)}`}
          >${props.pipeline}<//
        >
        / ${props.job}
      </h1>
      ${
        mayChange(user, props.team) &&
        html`<button class="action" onClick=${trigger} disabled=${!data || data.job.disable_manual_trigger}>
          Trigger
        </button>`
      }
    </header>
    ${(failure ?? error) && html`<p class="error" role="alert">${failure ?? error}</p>`}
    ${data?.job.waiting && html`<p class="waiting">waiting: ${data.job.waiting.reason}</p>`}
    <table class="builds">
      <thead>
        <tr>
          <th>build</th>
          <th>status</th>
          <th>started</th>
          <th>duration</th>
        </tr>
      </thead>
      <tbody>
        ${(data?.builds ?? []).map(
          (b) =>
            html`<tr key=${b.id}>
              <td><${StatusMark} status=${b.status} /> <${Link} href=${`/builds/${b.id}`}>#${b.name}<//></td>
              <td><${StatusWord} status=${b.status} /></td>
              <td>${ago(b.start_time)}</td>
              <td>${buildDuration(b)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </main>`;
}
