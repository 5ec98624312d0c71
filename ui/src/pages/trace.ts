/**
 * A delivery trace: each path a change took from its commit to running Pods, one row per step
 * with when it happened and how long after the step before; the slowest hop is marked.
 */
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { get } from "../api.ts";
import type { DeliveryTrace, TraceStep } from "../../../src/trace/trace-types.ts";
import { duration } from "../format.ts";
import { useLoad } from "../hooks.ts";
import { encode, Link } from "../router.ts";

const stageNames: Record<TraceStep["stage"], string> = {
  commit: "Commit",
  build: "Build",
  image: "Image pushed",
  policy: "Policy",
  automation: "Automation commit",
  source: "Source",
  kustomization: "Applied",
  rollout: "Rollout",
};

const stateMarks: Record<TraceStep["state"], string> = {
  done: "succeeded",
  waiting: "pending",
  failed: "failed",
  superseded: "aborted",
};

/** The time from the step before (with a time) to each step, in seconds; undefined when unknown. */
export function hops(path: readonly TraceStep[]): (number | undefined)[] {
  let previous: number | undefined;
  return path.map((step) => {
    const at = step.at ? Date.parse(step.at) : undefined;
    const hop = at !== undefined && previous !== undefined ? Math.max(0, (at - previous) / 1000) : undefined;
    if (at !== undefined) previous = at;
    return hop;
  });
}

export function TracePage(props: { from: "builds" | "workloads"; target: string }) {
  const path = `/api/v1/trace/${props.from}/${props.target.split("/").map(encode).join("/")}`;
  const { data, error } = useLoad((signal) => get<DeliveryTrace>(path, signal), [path]);
  return html`<main class="trace-page">
    <header class="page-head">
      <h1><span class="team">Delivery trace of </span>${data?.from ?? props.target}</h1>
    </header>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!data && !error && html`<p class="empty">Following the change…</p>`}
    ${data?.paths.map((p, i) => html`<${TracePath} key=${i} steps=${p} />`)}
    ${
      data &&
      data.notes.length > 0 &&
      html`<h2>Not followed</h2>
        <ul class="notes">
          ${data.notes.map((n) => html`<li>${n}</li>`)}
        </ul>`
    }
  </main>`;
}

function TracePath(props: { steps: TraceStep[] }) {
  const times = hops(props.steps);
  const slowest = times.reduce<number | undefined>(
    (best, t, i) => (t !== undefined && (best === undefined || t > (times[best] ?? 0)) ? i : best),
    undefined,
  );
  const total =
    props.steps[0]?.at && props.steps.at(-1)?.at
      ? (Date.parse(props.steps.at(-1)!.at!) - Date.parse(props.steps[0].at)) / 1000
      : undefined;
  return html`<section class="trace">
    ${total !== undefined && html`<p class="trace-total">${duration(total)} from the first step to the last</p>`}
    <ol class="trace-steps">
      ${props.steps.map((step, i) => html`<${TraceRow} key=${i} step=${step} hop=${times[i]} slowest=${i === slowest} />`)}
    </ol>
  </section>`;
}

/** Tenths under ten seconds: most hops of a webhook-driven loop take less than one. */
const hopText = (seconds: number) => (seconds < 10 ? `${seconds.toFixed(1)}s` : duration(seconds));

function TraceRow(props: { step: TraceStep; hop: number | undefined; slowest: boolean }) {
  const { step, hop, slowest } = props;
  const [showDiff, setShowDiff] = useState(false);
  const title = step.link ? html`<${Link} href=${step.link}>${step.title}<//>` : step.title;
  return html`<li class=${`trace-step state-${step.state}${slowest ? " slowest" : ""}`}>
    <span
      class=${`mark status-${stateMarks[step.state]}`}
      role="img"
      aria-label=${`${stageNames[step.stage]}: ${step.state}`}
    ></span>
    <div class="trace-body">
      <div class="trace-head">
        <span class="stage">${stageNames[step.stage]}</span> ${title}
        <span class="trace-time">
          ${hop !== undefined && html`<span class="hop">+${hopText(hop)}</span>`}
          ${slowest && html`<span class="badge">slowest</span>`}
          ${step.at && html`<time datetime=${step.at}>${new Date(step.at).toLocaleTimeString()}</time>`}
        </span>
      </div>
      ${step.detail && html`<p class="trace-detail">${step.detail}</p>`}
      ${
        step.items &&
        step.items.length > 0 &&
        html`<ul class="trace-items">
          ${step.items.map((item) => html`<li>${item}</li>`)}
        </ul>`
      }
      ${
        step.diff &&
        html`<button class="link-button" aria-expanded=${showDiff} onClick=${() => setShowDiff(!showDiff)}>
            ${showDiff ? "Hide the change" : "Show the change"}
          </button>
          ${showDiff && html`<${Diff} text=${step.diff} />`}`
      }
    </div>
  </li>`;
}

export function Diff(props: { text: string }) {
  return html`<pre class="diff">
${props.text.split("\n").map((line) => {
      const kind =
        line.startsWith("+") && !line.startsWith("+++")
          ? "add"
          : line.startsWith("-") && !line.startsWith("---")
            ? "del"
            : "";
      return html`<span class=${kind}>${`${line}\n`}</span>`;
    })}</pre>`;
}

/** A link to the trace of a workload, for the places that list one. */
export function TraceLink(props: { kind: string; namespace: string; name: string }) {
  return html`<${Link}
    href=${`/trace/workloads/${encode(props.kind)}/${encode(props.namespace)}/${encode(props.name)}`}
    label=${`Trace ${props.kind} ${props.namespace}/${props.name}`}
    >trace<//
  >`;
}
