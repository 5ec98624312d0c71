/** "Compare with the cluster": what applying the source's current build would change (`sluice diff kustomization`). */
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { get } from "../api.ts";
import type { ClusterChange } from "../../../src/kustomize/cluster-diff.ts";
import { Diff } from "./trace.ts";

interface ApiDiff {
  objects: number;
  changes: ClusterChange[];
}

export function ClusterDiff(props: { path: string }) {
  const [diff, setDiff] = useState<ApiDiff | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const compare = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setDiff(await get<ApiDiff>(`${props.path}/diff`));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return html`<h2>Git and the cluster</h2>
    <button onClick=${compare} disabled=${busy}>${busy ? "Comparing…" : "Compare with the cluster"}</button>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      diff &&
      (diff.changes.length === 0
        ? html`<p role="status">No changes: the cluster matches the build (${diff.objects} objects).</p>`
        : html`<p role="status">${diff.changes.length} of ${diff.objects} objects would change:</p>
            <ul class="changes">
              ${diff.changes.map(
                (c) =>
                  html`<li key=${c.subject}>
                    <strong>${c.subject}</strong> ${c.action} ${c.diff && html`<${Diff} text=${c.diff} />`}
                  </li>`,
              )}
            </ul>`)
    }`;
}
