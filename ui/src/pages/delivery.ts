/** One delivery object: readiness, revision, conditions and events; reconcile, suspend, resume. */
import { html } from "htm/preact";
import { get, send, type ApiDeliveryDetail } from "../api.ts";
import { useActions, useLoad } from "../hooks.ts";
import { encode } from "../router.ts";
import { deliveryState } from "../delivery.ts";
import { StatusMark } from "../status.ts";

export function DeliveryPage(props: { kind: string; namespace: string; name: string }) {
  const path = `/api/v1/cd/objects/${encode(props.kind)}/${encode(props.namespace)}/${encode(props.name)}`;
  const { data, error, reload } = useLoad((signal) => get<ApiDeliveryDetail>(path, signal), [path], 3000);
  const { acting, failure, act } = useActions(reload);
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
  </main>`;
}

function DeliveryDetail(props: { data: ApiDeliveryDetail }) {
  const { data } = props;
  return html`<p>${data.message}</p>
    <dl class="facts">
      <dt>revision</dt>
      <dd>${data.revision || "none yet"}</dd>
    </dl>
    <h2>Conditions</h2>
    <table>
      <thead>
        <tr>
          <th>type</th>
          <th>status</th>
          <th>reason</th>
          <th>message</th>
          <th>since</th>
        </tr>
      </thead>
      <tbody>
        ${data.conditions.map(
          (c) =>
            html`<tr key=${c.type}>
              <td>${c.type}</td>
              <td>${c.status}</td>
              <td>${c.reason}</td>
              <td>${c.message}</td>
              <td>${c.lastTransitionTime}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Events</h2>
    ${
      data.events.length === 0
        ? html`<p class="empty">No events.</p>`
        : html`<table>
            <thead>
              <tr>
                <th>time</th>
                <th>type</th>
                <th>reason</th>
                <th>message</th>
              </tr>
            </thead>
            <tbody>
              ${data.events.map(
                (e, i) =>
                  html`<tr key=${i} class=${e.type === "Warning" ? "warning" : ""}>
                    <td>${e.time}</td>
                    <td>${e.type}</td>
                    <td>${e.reason}</td>
                    <td>${e.message}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
}
