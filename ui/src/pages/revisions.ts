/**
 * A Kustomization's commits on its source's branch, which of them the cluster applied, and
 * "Revert": a revert commit pushed to git, which the cluster then follows.
 */
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { get, send } from "../api.ts";
import type { KustomizationRevisions } from "../../../src/trace/revisions.ts";
import { useActions, useLoad } from "../hooks.ts";
import { Table } from "../table.ts";

const stateWords = { applied: "applied now", earlier: "applied before", pending: "not applied yet" };

export function Revisions(props: { path: string; changed: unknown }) {
  const { data, error, reload } = useLoad(
    (signal) => get<KustomizationRevisions>(`${props.path}/revisions`, signal),
    [props.path, props.changed],
  );
  const { acting, failure, act } = useActions(reload);
  const [reverted, setReverted] = useState<string | undefined>(undefined);
  const revert = (sha: string, subject: string) => {
    const question = `Revert ${sha.slice(0, 12)} "${subject}"? A revert commit is pushed to ${data?.branch}; the cluster follows git.`;
    if (!confirm(question)) return;
    void act("revert", async () => {
      const { commit } = (await send("POST", `${props.path}/revisions/${sha}/revert`)) as { commit: string };
      setReverted(commit);
    });
  };
  const rows = (data?.revisions ?? []).map((r) => ({
    key: r.sha,
    class: r.state === "applied" ? "current" : "",
    cells: [
      html`<code title=${r.sha}>${r.sha.slice(0, 12)}</code>`,
      r.subject,
      r.author,
      new Date(r.date).toLocaleString(),
      stateWords[r.state],
      data?.cannotRevert === undefined &&
        html`<button
          class="action"
          disabled=${!!acting}
          aria-label=${`Revert ${r.sha.slice(0, 12)}`}
          onClick=${() => revert(r.sha, r.subject)}
        >
          Revert
        </button>`,
    ],
  }));
  return html`<h2>Revisions</h2>
    ${(failure ?? error) && html`<p class="error" role="alert">${failure ?? error}</p>`}
    ${reverted && html`<p role="status">Reverted as <code>${reverted.slice(0, 12)}</code>: the source fetches it now.</p>`}
    ${
      data &&
      html`<p class="empty">
        Commits under this Kustomization's path on
        ${data.source}${data.branch ? ` (branch ${data.branch})` : ""}.
        ${data.cannotRevert && ` Nothing can be reverted here: ${data.cannotRevert}.`}
      </p>`
    }
    ${
      rows.length > 0 &&
      html`<${Table}
        class="revisions"
        headers=${["commit", "subject", "author", "date", "state", ""]}
        rows=${rows}
      />`
    }`;
}
