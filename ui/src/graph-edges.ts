/**
 * The `passed` edges drawn between job boxes: an SVG laid over the graph, each edge a curve from
 * the right side of the upstream job to the left side of the downstream one, measured from the
 * boxes as laid out (and again when the graph resizes).
 */
import { html } from "htm/preact";
import type { RefObject } from "preact";
import { useLayoutEffect, useState } from "preact/hooks";
import type { GraphEdge } from "./graph.ts";

interface Drawn {
  key: string;
  d: string;
}

function measure(
  container: HTMLElement,
  edges: readonly GraphEdge[],
): { width: number; height: number; paths: Drawn[] } {
  const origin = container.getBoundingClientRect();
  const box = (name: string) =>
    container.querySelector<HTMLElement>(`[data-job="${CSS.escape(name)}"]`)?.getBoundingClientRect();
  const paths = edges.flatMap((edge) => {
    const [from, to] = [box(edge.from), box(edge.to)];
    if (!from || !to) return [];
    const x1 = from.right - origin.left + container.scrollLeft;
    const y1 = from.top + from.height / 2 - origin.top;
    const x2 = to.left - origin.left + container.scrollLeft;
    const y2 = to.top + to.height / 2 - origin.top;
    const bend = Math.max(12, (x2 - x1) / 2);
    return [
      {
        key: `${edge.from}→${edge.to}`,
        d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
      },
    ];
  });
  return { width: container.scrollWidth, height: container.scrollHeight, paths };
}

export function GraphEdges(props: {
  container: RefObject<HTMLElement | null>;
  edges: readonly GraphEdge[];
  layout: unknown;
}) {
  const [drawn, setDrawn] = useState<ReturnType<typeof measure> | undefined>(undefined);
  useLayoutEffect(() => {
    const container = props.container.current;
    if (!container) return;
    const update = () => setDrawn(measure(container, props.edges));
    update();
    const observer = new ResizeObserver(update);
    observer.observe(container);
    return () => observer.disconnect();
  }, [props.edges, props.layout]);
  if (!drawn || drawn.paths.length === 0) return null;
  return html`<svg class="edges" aria-hidden="true" width=${drawn.width} height=${drawn.height}>
    ${drawn.paths.map((p) => html`<path key=${p.key} d=${p.d} />`)}
  </svg>`;
}
