/**
 * ANSI SGR colours of log lines as styled segments (the 8/16 colours, bold, reset); other escape
 * sequences are dropped. Text stays text: nothing from a log is ever parsed as HTML.
 */
export interface Segment {
  text: string;
  classes: string;
}

const ESCAPE = /\u001b\[([0-9;]*)([A-Za-z])/g;

export function ansiSegments(line: string): Segment[] {
  const segments: Segment[] = [];
  let fg = "";
  let bold = false;
  let last = 0;
  const push = (text: string) => {
    if (text) segments.push({ text, classes: [fg, bold ? "ansi-bold" : ""].filter(Boolean).join(" ") });
  };
  for (const match of line.matchAll(ESCAPE)) {
    push(line.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[2] !== "m") continue;
    for (const code of (match[1] || "0").split(";").map(Number)) {
      if (code === 0) [fg, bold] = ["", false];
      else if (code === 1) bold = true;
      else if (code === 22) bold = false;
      else if (code === 39) fg = "";
      else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) fg = `ansi-${code}`;
    }
  }
  push(line.slice(last));
  return segments;
}

/** The line without escape sequences, for search and download. */
export const plain = (line: string) => line.replace(ESCAPE, "");
