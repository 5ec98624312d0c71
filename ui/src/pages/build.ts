/**
 * A build: its steps with outcomes and durations, the log streaming while it runs (ANSI colours,
 * optional timestamps, a step collapsed per click, search, jump to the first error, download),
 * abort while it runs, rerun once it ended.
 */
import { html } from "htm/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { buildEvents, get, send, Unauthorized, type ApiBuild, type BuildEvent } from "../api.ts";
import { plain } from "../ansi.ts";
import { LogView } from "../log-view.ts";
import { buildDuration, duration, running } from "../format.ts";
import { addEvents, emptyLog, firstError, type BuildLog, type LogLine } from "../log.ts";
import { useActions, type Actions } from "../hooks.ts";
import { encode, Link, navigate } from "../router.ts";
import { StatusWord } from "../status.ts";
import { mayChange, useUser } from "../user.ts";

function useBuildLog(buildId: number): { log: BuildLog; version: number; failure: string | undefined } {
  const log = useRef(emptyLog());
  const [version, setVersion] = useState(0);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  useEffect(() => {
    log.current = emptyLog();
    const abort = new AbortController();
    let pending: BuildEvent[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      addEvents(log.current, pending);
      pending = [];
      setVersion((v) => v + 1);
    };
    void (async () => {
      try {
        for await (const event of buildEvents(buildId, abort.signal)) {
          pending.push(event);
          frame ||= requestAnimationFrame(flush);
        }
        flush();
      } catch (err) {
        if (abort.signal.aborted) return;
        if (err instanceof Unauthorized)
          return navigate(`/login?next=${encodeURIComponent(location.pathname)}`);
        setFailure((err as Error).message);
      }
    })();
    return () => {
      abort.abort();
      cancelAnimationFrame(frame);
    };
  }, [buildId]);
  return { log: log.current, version, failure };
}

function download(log: BuildLog, build: ApiBuild): void {
  const text = [...log.steps.values()]
    .flatMap((s) => [`== ${s.title}`, ...s.lines.map((l) => plain(l.text))])
    .join("\n");
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text + "\n"], { type: "text/plain" }));
  link.download = `build-${build.id}.log`;
  link.click();
  URL.revokeObjectURL(link.href);
}

export function BuildPage(props: { id: number }) {
  const [build, setBuild] = useState<ApiBuild | undefined>(undefined);
  const [search, setSearch] = useState("");
  const [timestamps, setTimestamps] = useState(false);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [reveal, setReveal] = useState<number | undefined>(undefined);
  const { log, failure: streamFailure } = useBuildLog(props.id);
  const { failure, setFailure, act } = useActions();
  const status = log.status ?? build?.status;
  useEffect(() => {
    get<ApiBuild>(`/api/v1/builds/${props.id}`).then(setBuild, (err: Error) => setFailure(err.message));
  }, [props.id, log.status]);
  const toggle = (origin: string) => {
    const next = new Set(collapsed);
    if (!next.delete(origin)) next.add(origin);
    setCollapsed(next);
  };
  const jumpToError = () => {
    const line = firstError(log);
    if (!line) return setFailure("no error line in this log");
    setCollapsed(new Set());
    setReveal(line.id);
    requestAnimationFrame(() =>
      document.getElementById(`line-${line.id}`)?.scrollIntoView({ block: "center" }),
    );
  };
  const needle = search.trim().toLowerCase();
  const matching = (line: LogLine) => !!needle && plain(line.text).toLowerCase().includes(needle);
  const matches = [...log.steps.values()].reduce((n, s) => n + s.lines.filter(matching).length, 0);
  return html`<main class="build-page">
    <${BuildHeader} id=${props.id} build=${build} status=${status} act=${act} />
    ${(failure ?? streamFailure) && html`<p class="error" role="alert">${failure ?? streamFailure}</p>`}
    <div class="log-tools">
      <label
        >Search
        <input
          type="search"
          value=${search}
          onInput=${(e: Event) => setSearch((e.target as HTMLInputElement).value)}
      /></label>
      ${needle && html`<span aria-live="polite">${matches} matching lines</span>`}
      <button onClick=${jumpToError}>Jump to first error</button>
      <label
        ><input type="checkbox" checked=${timestamps} onChange=${() => setTimestamps(!timestamps)} />
        timestamps</label
      >
      <button onClick=${() => build && download(log, build)}>Download</button>
    </div>
    ${log.errors.map((message) => html`<p class="error">${message}</p>`)}
    <ol class="steps">
      ${[...log.steps.values()].map((step) => {
        const open = !collapsed.has(step.origin);
        const state = `${step.outcome ?? (running(status) ? "running" : "")}${step.durationMs !== undefined ? ` · ${duration(step.durationMs / 1000)}` : ""}`;
        return html`<li key=${step.origin} class=${`step outcome-${step.outcome ?? "running"}`}>
          <button class="step-head" aria-expanded=${open} onClick=${() => toggle(step.origin)}>
            <span class="chevron">${open ? "▾" : "▸"}</span> ${step.title}<span class="step-state"
              >${state}</span
            >
          </button>
          ${open && html`<${LogView} lines=${step.lines} timestamps=${timestamps} matching=${matching} reveal=${reveal} />`}
        </li>`;
      })}
    </ol>
  </main>`;
}

/** The build's names (linked), status and duration; abort while it runs, rerun a job's once it ended. */
function BuildHeader(props: {
  id: number;
  build: ApiBuild | undefined;
  status: string | undefined;
  act: Actions["act"];
}) {
  const { build, status, act } = props;
  const user = useUser();
  const change = mayChange(user, build?.team_name);
  const pipelinePath =
    build && `/teams/${encode(build.team_name)}/pipelines/${encode(build.pipeline_name ?? "")}`;
  const title = build?.job_name
    ? html`<${Link} href=${pipelinePath}>${build.pipeline_name}<//> /
        <${Link} href=${`${pipelinePath}/jobs/${encode(build.job_name)}`}>${build.job_name}<//>
        #${build.name}`
    : html`one-off build #${props.id}`;
  const rerun = async () => {
    const path = `/api/v1${pipelinePath}/jobs/${encode(build?.job_name ?? "")}/builds/${encode(build?.name ?? "")}`;
    navigate(`/builds/${((await send("POST", path)) as { id: number }).id}`);
  };
  return html`<header class="page-head">
    <h1>${title}</h1>
    ${status && html`<${StatusWord} status=${status} />`}
    ${build && html`<span class="duration">${buildDuration(build)}</span>`}
    ${user?.is_admin && html`<${Link} href=${`/trace/builds/${props.id}`}>Trace delivery<//>`}
    ${change && running(status) && html`<button class="action danger" onClick=${() => act("abort", () => send("PUT", `/api/v1/builds/${props.id}/abort`))}>Abort</button>`}
    ${change && build?.job_name && !running(status) && html`<button class="action" onClick=${() => act("rerun", rerun)}>Rerun</button>`}
  </header>`;
}
