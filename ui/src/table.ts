/** A plain table of rows: a header per column, a key per row. */
import { html } from "htm/preact";

export interface Row {
  key: string;
  cells: unknown[];
  class?: string;
}

export function Table(props: { headers: string[]; rows: Row[]; class?: string }) {
  return html`<table class=${props.class}>
    <thead>
      <tr>
        ${props.headers.map((h) => html`<th>${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${props.rows.map(
        (row) =>
          html`<tr key=${row.key} class=${row.class}>
            ${row.cells.map((cell) => html`<td>${cell}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}
