/** One delivery object: readiness, revision, conditions and events; reconcile, suspend, resume. */
import { html } from "htm/preact";
import { useEffect } from "preact/hooks";
import { get, send, type ApiDeliveryDetail } from "../api.ts";
import { useActions, useLoad } from "../hooks.ts";
import { encode } from "../router.ts";
import { deliveryState, useDeliveryObjects } from "../delivery.ts";
import { StatusMark } from "../status.ts";
import { Table } from "../table.ts";
import { ClusterDiff } from "./cluster-diff.ts";
import { traceableWorkloads } from "../../../src/trace/trace-types.ts";
import { Revisions } from "./revisions.ts";
import { TraceLink } from "./trace.ts";

const traceable = new Set<string>(traceableWorkloads);

export function DeliveryPage(props: { kind: string; namespace: string; name: string }) {
  const path = `/api/v1/cd/objects/${encode(props.kind)}/${encode(props.namespace)}/${encode(props.name)}`;
  const { data, error, reload } = useLoad((signal) => get<ApiDeliveryDetail>(path, signal), [path]);
  const { acting, failure, act } = useActions(reload);
  // fetched again when the cluster changes it (the server's watch-driven stream)
  const live = useDeliveryObjects().find(
    (o) => o.kind === props.kind && o.namespace === props.namespace && o.name === props.name,
  );
  useEffect(reload, [JSON.stringify(live)]);
  const button = (verb: string, label: string) =>
    html`<button
      class="action"
      disabled=${!!acting}
      onClick=${() => act(verb, () => send("POST", `${path}/${verb}`))}
    >
      ${label}
    </button>`;
  return html`<main>
    <header class="page-head">
      <h1><span class="team">${props.kind} ${props.namespace}/</span>${props.name}</h1>
      ${data && html`<${StatusMark} status=${deliveryState(data)} label="Ready" />`}
      ${data?.suspended && html`<span class="badge">suspended</span>`}
      ${data && !data.suspended && button("reconcile", "Reconcile")}
      ${data && (data.suspended ? button("resume", "Resume") : button("suspend", "Suspend"))}
    </header>
    ${(failure ?? error) && html`<p class="error" role="alert">${failure ?? error}</p>`}
    ${data && html`<${DeliveryDetail} data=${data} />`}
    ${props.kind === "Kustomization" && html`<${ClusterDiff} path=${path} />`}
    ${props.kind === "Kustomization" && html`<${Revisions} path=${path} changed=${data?.revision} />`}
  </main>`;
}

function DeliveryDetail(props: { data: ApiDeliveryDetail }) {
  const { data } = props;
  const conditions = data.conditions.map((c) => ({
    key: c.type,
    cells: [c.type, c.status, c.reason, c.message, c.lastTransitionTime],
  }));

  const events = data.events.map((e, i) => ({
    key: String(i),
    cells: [e.time, e.type, e.reason, e.message],
    class: e.type === "Warning" ? "warning" : "",
  }));
  return html`<p>${data.message}</p>
    <dl class="facts">
      <dt>revision</dt>
      <dd>${data.revision || "none yet"}</dd>
      ${data.facts.map(
        (f) =>
          html`<dt>${f.label}</dt>
            <dd>${f.value}</dd>`,
      )}
    </dl>
    <h2>Conditions</h2>
    <${Table} headers=${["type", "status", "reason", "message", "since"]} rows=${conditions} />
    ${
      data.inventory.length > 0 &&
      html`<h2>Applied objects</h2>
        <${InventoryTree} items=${data.inventory} />`
    }
    <h2>Events</h2>
    ${
      events.length === 0
        ? html`<p class="empty">No events.</p>`
        : html`<${Table} headers=${["time", "type", "reason", "message"]} rows=${events} />`
    }`;
}

const healthMarks: Record<string, string> = {
  Current: "succeeded",
  InProgress: "started",
  Failed: "failed",
  NotFound: "errored",
  Terminating: "aborted",
};

/** The applied objects by namespace, each with its health and, for a workload, its trace. */
function InventoryTree(props: { items: ApiDeliveryDetail["inventory"] }) {
  const namespaces = [...new Set(props.items.map((o) => o.namespace))].sort();
  return html`<ul class="inventory tree">
    ${namespaces.map(
      (ns) =>
        html`<li key=${ns}>
          <span class="tree-ns">${ns ? `namespace ${ns}` : "cluster-wide"}</span>
          <ul>
            ${props.items
              .filter((o) => o.namespace === ns)
              .map(
                (o) =>
                  html`<li key=${`${o.kind}/${o.name}`}>
                    <${StatusMark}
                      status=${healthMarks[o.health] ?? "pending"}
                      label=${`${o.kind} ${o.name}: ${o.health}`}
                    />
                    ${o.kind} <strong>${o.name}</strong>
                    <span class="muted"
                      >${o.apiVersion} · ${o.health}${o.message ? `: ${o.message}` : ""}</span
                    >
                    ${traceable.has(o.kind) && o.apiVersion === "apps/v1" && html` <${TraceLink} ...${o} />`}
                  </li>`,
              )}
          </ul>
        </li>`,
    )}
  </ul>`;
}
