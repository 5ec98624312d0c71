/** A resource's latest versions, with pin and unpin (Concourse's pinning: jobs get only that version). */
import { html } from "htm/preact";
import { get, send, type ApiResource } from "../api.ts";
import { useLoad, type Actions } from "../hooks.ts";

interface ApiVersion {
  id: number;
  version: Record<string, string>;
  metadata: { name: string; value: string }[];
  enabled: boolean;
}

const shown = 10;
const describe = (version: Record<string, string>) =>
  Object.entries(version)
    .map(([k, v]) => `${k}: ${v.length > 20 && /^[0-9a-f:sha]+$/.test(v) ? v.slice(0, 19) : v}`)
    .join(", ");

export function ResourceVersions(props: {
  base: string;
  resource: ApiResource;
  change: boolean;
  act: Actions["act"];
  onChanged: () => void;
}) {
  const { base, resource, act } = props;
  const path = `${base}/resources/${encodeURIComponent(resource.name)}`;
  const { data, error } = useLoad(
    (signal) => get<ApiVersion[]>(`${path}/versions?limit=${shown}`, signal),
    [path, resource.pinned_version_id],
  );
  const pin = (v: ApiVersion) => {
    const comment = prompt(`Pin ${resource.name} to ${describe(v.version)}. A comment (optional):`);
    if (comment === null) return;
    void act(`pin ${resource.name}`, async () => {
      await send("PUT", `${path}/versions/${v.id}/pin`, comment ? { pin_comment: comment } : {});
      props.onChanged();
    });
  };
  const unpin = () =>
    act(`unpin ${resource.name}`, async () => {
      await send("PUT", `${path}/unpin`);
      props.onChanged();
    });
  if (error) return html`<p class="error">${error}</p>`;
  if (!data) return html`<p class="empty">Loading versions…</p>`;
  if (data.length === 0) return html`<p class="empty">No versions yet.</p>`;
  return html`<ol class="versions" aria-label=${`versions of ${resource.name}`}>
    ${data.map((v) => {
      const pinned = resource.pinned_version_id === v.id;
      return html`<li key=${v.id} class=${pinned ? "pinned" : ""}>
        <code title=${JSON.stringify(v.version)}>${describe(v.version)}</code>
        ${!v.enabled && html` <span class="badge">disabled</span>`}
        ${pinned && html` <span class="badge">pinned</span>`}
        ${
          props.change &&
          (pinned
            ? html` <button onClick=${unpin}>Unpin</button>`
            : html` <button
                aria-label=${`pin ${resource.name} to ${describe(v.version)}`}
                onClick=${() => pin(v)}
              >
                Pin
              </button>`)
        }
      </li>`;
    })}
  </ol>`;
}
