/**
 * Every pipeline one may see, by team: its jobs' states as marks, failing pipelines first with
 * their count at the top, filtered by name and state; for admins the delivery objects, kept
 * current by the server's stream.
 */
import { html } from "htm/preact";
import { useMemo, useState } from "preact/hooks";
import type { ApiDeliveryObject, ApiJob, ApiPipeline } from "../api.ts";
import { useDashboard } from "../dashboard.ts";
import { deliveryPath, deliveryState, useDeliveryObjects } from "../delivery.ts";
import { encode, Link } from "../router.ts";
import { jobStatus, StatusMark } from "../status.ts";

/** Cards drawn at first: a screenful and more, so a thousand pipelines do not hold up the page. */
const FIRST_SCREEN = 120;
const capped = <T>(items: T[], everything: boolean) => (everything ? items : items.slice(0, FIRST_SCREEN));

const failing = (status: string) => status === "failed" || status === "errored";

interface Card {
  pipeline: ApiPipeline;
  jobs: ApiJob[];
  state: "failing" | "running" | "paused" | "ok";
}

function cards(pipelines: ApiPipeline[], jobs: ApiJob[]): Card[] {
  return pipelines
    .filter((p) => !p.archived)
    .map((pipeline): Card => {
      const own = jobs.filter((j) => j.team_name === pipeline.team_name && j.pipeline_name === pipeline.name);
      const statuses = own.map(jobStatus);
      const state = statuses.some(failing)
        ? "failing"
        : statuses.some((s) => s === "started" || s === "pending")
          ? "running"
          : pipeline.paused
            ? "paused"
            : "ok";
      return { pipeline, jobs: own, state };
    })
    .sort((a, b) => Number(b.state === "failing") - Number(a.state === "failing"));
}

export function HomePage() {
  const [filter, setFilter] = useState("");
  const [state, setState] = useState("all");
  const [everything, setEverything] = useState(false);
  const { data: dashboard, error } = useDashboard();
  const all = useMemo(() => (dashboard ? cards(dashboard.pipelines, dashboard.jobs) : []), [dashboard]);
  const shown = all.filter(
    (c) =>
      (state === "all" || c.state === state) &&
      `${c.pipeline.team_name}/${c.pipeline.name}`.includes(filter.trim()),
  );
  const allDelivery = sortedDelivery(useDeliveryObjects());
  const delivery = allDelivery.filter(
    (o) =>
      (state === "all" || deliveryFilterState(o) === state) &&
      `${o.namespace}/${o.name}`.includes(filter.trim()),
  );
  const failingCount =
    all.filter((c) => c.state === "failing").length +
    allDelivery.filter((o) => deliveryFilterState(o) === "failing").length;
  return html`<main>
    <header class="page-head">
      <h1>Pipelines</h1>
      <p class=${failingCount ? "summary failing" : "summary"} aria-live="polite">
        ${failingCount ? `${failingCount} failing` : "nothing failing"} · ${all.length} pipelines ·
        ${allDelivery.length} delivery objects
      </p>
      <${Filters} filter=${filter} state=${state} setFilter=${setFilter} setState=${setState} />
    </header>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${dashboard && shown.length === 0 && html`<p class="empty">No pipeline matches.</p>`}
    <ul class="cards">
      ${capped(shown, everything).map(
        (c) =>
          html`<li class=${`card state-${c.state}`} key=${c.pipeline.id}>
            <${Link} href=${`/teams/${encode(c.pipeline.team_name)}/pipelines/${encode(c.pipeline.name)}`}>
              <span class="team">${c.pipeline.team_name}</span> / <strong>${c.pipeline.name}</strong>
            <//>
            ${c.pipeline.paused && html`<span class="badge">paused</span>`}
            <div class="marks">
              ${c.jobs.map((j) => html`<${StatusMark} key=${j.id} status=${jobStatus(j)} label=${j.name} />`)}
            </div>
          </li>`,
      )}
    </ul>
    <${DeliveryCards} objects=${capped(delivery, everything)} />
    ${
      !everything &&
      (shown.length > FIRST_SCREEN || delivery.length > FIRST_SCREEN) &&
      html`<button onClick=${() => setEverything(true)}>
        Show all ${shown.length} pipelines and ${delivery.length} objects
      </button>`
    }
  </main>`;
}

function Filters(props: {
  filter: string;
  state: string;
  setFilter: (value: string) => void;
  setState: (value: string) => void;
}) {
  return html`<div class="filters">
    <label
      >Filter
      <input
        type="search"
        value=${props.filter}
        placeholder="team/pipeline"
        onInput=${(e: Event) => props.setFilter((e.target as HTMLInputElement).value)}
    /></label>
    <label
      >State
      <select
        value=${props.state}
        onChange=${(e: Event) => props.setState((e.target as HTMLSelectElement).value)}
      >
        ${["all", "failing", "running", "paused", "ok"].map((value) => html`<option value=${value}>${value}</option>`)}
      </select>
    </label>
  </div>`;
}

function DeliveryCards(props: { objects: ApiDeliveryObject[] }) {
  if (props.objects.length === 0) return null;
  return html`<h2>Delivery</h2>
    <ul class="cards">
      ${props.objects.map(
        (o) =>
          html`<li
            class=${`card state-${deliveryFilterState(o)}`}
            key=${`${o.kind}/${o.namespace}/${o.name}`}
          >
            <${StatusMark} status=${deliveryState(o)} label=${`${o.kind} ${o.name}`} />
            <${Link} href=${deliveryPath(o)}
              ><span class="team">${o.kind} ${o.namespace}/</span><strong>${o.name}</strong><//
            >
            ${o.suspended && html`<span class="badge">suspended</span>`}
            <p class="revision">${o.ready === "False" ? o.message : o.revision}</p>
          </li>`,
      )}
    </ul>`;
}

/** The home page's filter words for a delivery object. */
function deliveryFilterState(o: ApiDeliveryObject): Card["state"] {
  const state = deliveryState(o);
  return state === "failed"
    ? "failing"
    : state === "paused"
      ? "paused"
      : state === "pending"
        ? "running"
        : "ok";
}

function sortedDelivery(objects: ApiDeliveryObject[]): ApiDeliveryObject[] {
  return [...objects].sort(
    (a, b) =>
      Number(deliveryFilterState(b) === "failing") - Number(deliveryFilterState(a) === "failing") ||
      `${a.kind}/${a.namespace}/${a.name}`.localeCompare(`${b.kind}/${b.namespace}/${b.name}`),
  );
}
