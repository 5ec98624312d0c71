/** A build status as a coloured mark with a text alternative (never colour alone). */
import { html } from "htm/preact";

const words: Record<string, string> = {
  succeeded: "succeeded",
  failed: "failed",
  errored: "errored",
  aborted: "aborted",
  started: "running",
  pending: "pending",
  none: "no builds",
  paused: "paused",
};

export function StatusMark(props: { status: string; label?: string }) {
  const word = words[props.status] ?? props.status;
  return html`<span
    class=${`mark status-${props.status}`}
    role="img"
    aria-label=${props.label ? `${props.label}: ${word}` : word}
    title=${props.label ? `${props.label}: ${word}` : word}
  ></span>`;
}

export function StatusWord(props: { status: string }) {
  return html`<span class=${`status-word status-${props.status}`}
    >${words[props.status] ?? props.status}</span
  >`;
}

/** The status a job shows: its running build's, else its last finished build's. */
export function jobStatus(job: {
  next_build: { status: string } | null;
  finished_build: { status: string } | null;
}): string {
  if (job.next_build) return job.next_build.status;
  if (job.finished_build) return job.finished_build.status;
  return "none";
}
