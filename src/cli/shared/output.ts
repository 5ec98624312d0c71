/** What commands print: Flux-style progress lines (stderr), tables and exported YAML (stdout). */
import YAML from "yaml";
import type { KubeObject } from "../../kube/objects.ts";

const line = (symbol: string) => (message: string) => {
  process.stderr.write(`${symbol} ${message}\n`);
};

/** Progress lines as `flux` prints them; stdout stays clean for tables and YAML. */
export const say = {
  generate: line("✚"),
  action: line("►"),
  waiting: line("◎"),
  success: line("✔"),
  warning: line("⚠️"),
  failure: line("✗"),
};

/** The width of each column: its widest cell. */
export function columnWidths(rows: readonly (readonly string[])[]): number[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  return Array.from({ length: columns }, (_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
}

/** One line of a table: cells padded to `widths`, three spaces apart, the last one unpadded. */
export function renderRow(row: readonly string[], widths: readonly number[]): string {
  const cells = row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)));
  return `${cells.join("   ").trimEnd()}\n`;
}

/** Columns padded to the widest cell, three spaces apart (as kubectl prints them). */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  noHeader = false,
): string {
  const all = noHeader ? rows : [headers, ...rows];
  const widths = columnWidths(all);
  return all.map((row) => renderRow(row, widths)).join("");
}

/** Objects as a multi-document YAML stream, each document starting with `---`. */
export function renderYaml(objects: readonly KubeObject[], header = ""): string {
  const docs = objects.map(
    (o) => `---\n${YAML.stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`,
  );
  return header + docs.join("");
}
