/**
 * One step's log lines in a window of fixed-height rows: only the rows in sight (and a margin)
 * are in the page, so a 100,000-line log scrolls as a short one. It follows the end while the
 * reader is at the end, and scrolls to a line on request (jump to the first error).
 */
import { html } from "htm/preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { ansiSegments } from "./ansi.ts";
import type { LogLine } from "./log.ts";

/** Must match `.log .line` in style.css. */
export const ROW_PX = 20;
const MAX_HEIGHT_PX = 640;
const MARGIN_ROWS = 30;

const stamp = (time: number | undefined) => (time ? new Date(time * 1000).toLocaleTimeString() : "");

function Line(props: { line: LogLine; timestamps: boolean; match: boolean }) {
  const { line } = props;
  return html`<div
    id=${`line-${line.id}`}
    class=${`line${line.stderr ? " stderr" : ""}${props.match ? " match" : ""}`}
  >
    ${props.timestamps && html`<span class="time">${stamp(line.time)}</span>`}
    ${ansiSegments(line.text).map((s) => (s.classes ? html`<span class=${s.classes}>${s.text}</span>` : s.text))}
  </div>`;
}

export function LogView(props: {
  lines: LogLine[];
  timestamps: boolean;
  matching: (line: LogLine) => boolean;
  /** A line to bring into view (its id); changes of it scroll. */
  reveal: number | undefined;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const atEnd = useRef(true);
  const count = props.lines.length;
  const height = Math.min(count * ROW_PX, MAX_HEIGHT_PX);
  useLayoutEffect(() => {
    if (atEnd.current && box.current) box.current.scrollTop = count * ROW_PX;
  }, [count]);
  useEffect(() => {
    const index = props.lines.findIndex((line) => line.id === props.reveal);
    if (index >= 0 && box.current) box.current.scrollTop = Math.max(0, index * ROW_PX - height / 2);
  }, [props.reveal]);
  const onScroll = () => {
    const el = box.current!;
    setTop(el.scrollTop);
    atEnd.current = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_PX;
  };
  const first = Math.max(0, Math.floor(top / ROW_PX) - MARGIN_ROWS);
  const last = Math.min(count, Math.ceil((top + MAX_HEIGHT_PX) / ROW_PX) + MARGIN_ROWS);
  return html`<div class="log" role="log" ref=${box} style=${{ height: `${height}px` }} onScroll=${onScroll}>
    <div style=${{ height: `${count * ROW_PX}px`, position: "relative" }}>
      <div style=${{ transform: `translateY(${first * ROW_PX}px)` }}>
        ${props.lines
          .slice(first, last)
          .map(
            (line) =>
              html`<${Line}
                key=${line.id}
                line=${line}
                timestamps=${props.timestamps}
                match=${props.matching(line)}
              />`,
          )}
      </div>
    </div>
  </div>`;
}
