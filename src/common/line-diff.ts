/** A small line diff (longest common subsequence) printed in unified format: enough for YAML documents. */

type Op = { op: " " | "-" | "+"; line: string };

/**
 * The edit script turning `a` into `b`, common lines kept. The common head and tail are matched
 * first; only what lies between goes through the quadratic LCS, so a change to one job of a
 * 200-job pipeline costs little more than reading it.
 */
export function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const same = (lines: readonly string[]): Op[] => lines.map((line) => ({ op: " ", line }));
  return [
    ...same(a.slice(0, head)),
    ...lcsDiff(a.slice(head, a.length - tail), b.slice(head, b.length - tail)),
    ...same(a.slice(a.length - tail)),
  ];
}

function lcsDiff(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ op: " ", line: a[i++]! });
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ op: "-", line: a[i++]! });
    else ops.push({ op: "+", line: b[j++]! });
  }
  return ops;
}

/** `--- a`/`+++ b` then `@@ -l,n +l,n @@` hunks with `context` lines around each change; "" when equal. */
export function unifiedDiff(before: string, after: string, labels: [string, string], context = 3): string {
  const ops = diffLines(splitLines(before), splitLines(after));
  const changed = ops.map((o, k) => (o.op === " " ? -1 : k)).filter((k) => k >= 0);
  if (changed.length === 0) return "";
  const out = [`--- ${labels[0]}`, `+++ ${labels[1]}`];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - context);
    let end = changed[k]! + context + 1;
    while (k + 1 < changed.length && changed[k + 1]! <= end + context) end = changed[++k]! + context + 1;
    k++;
    out.push(...hunk(ops, start, Math.min(end, ops.length)));
  }
  return out.map((l) => `${l}\n`).join("");
}

function hunk(ops: Op[], start: number, end: number): string[] {
  const count = (from: number, to: number, side: "-" | "+") =>
    ops.slice(from, to).filter((o) => o.op === " " || o.op === side).length;
  const oldStart = count(0, start, "-") + 1;
  const newStart = count(0, start, "+") + 1;
  const oldLen = count(start, end, "-");
  const newLen = count(start, end, "+");
  const header = `@@ -${oldLen ? oldStart : oldStart - 1},${oldLen} +${newLen ? newStart : newStart - 1},${newLen} @@`;
  return [header, ...ops.slice(start, end).map((o) => `${o.op}${o.line}`)];
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}
