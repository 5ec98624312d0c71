/** `sluice events [--for Kind/NAME] [-n NS | -A] [--watch]`: core/v1 Events as a table, oldest first. */
import type { Command } from "commander";
import { z } from "zod";
import type { KubeClient } from "../../kube/client.ts";
import { watch } from "../../kube/watch.ts";
import { SluiceError } from "../../common/errors.ts";
import { objectName, usageError } from "../shared/flags.ts";
import { wellKnownKind } from "../shared/kinds.ts";
import { addKubeFlags, withCluster, type ListFlags } from "../shared/kube-flags.ts";
import { columnWidths, renderRow, say } from "../shared/output.ts";

interface EventsFlags extends ListFlags {
  for?: string;
  watch: boolean;
}

const time = z.string().nullish();
const CoreEvent = z.looseObject({
  metadata: z.looseObject({
    namespace: z.string().optional(),
    creationTimestamp: time,
    resourceVersion: z.string().optional(),
  }),
  involvedObject: z.looseObject({ kind: z.string().optional(), name: z.string().optional() }),
  type: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTimestamp: time,
  eventTime: time,
  firstTimestamp: time,
  series: z.looseObject({ lastObservedTime: time }).nullish(),
});
type CoreEvent = z.infer<typeof CoreEvent>;
const CoreEventList = z.looseObject({
  metadata: z.looseObject({ resourceVersion: z.string().optional() }),
  items: z.array(CoreEvent),
});

/** `Kind/NAME`, the kind spelled as the API spells it when the CLI knows it (`kustomization/app` works). */
function parseFor(value: string): { kind: string; name: string } {
  const [kind, name, ...rest] = value.split("/");
  if (!kind || !name || rest.length || !/^[A-Za-z][A-Za-z0-9]*$/.test(kind))
    throw usageError(`--for "${value}" is not Kind/NAME`, "e.g. --for Kustomization/podinfo");
  return { kind: wellKnownKind(kind)?.kind ?? kind, name: objectName("--for", name) };
}

const lastSeen = (e: CoreEvent): number =>
  Date.parse(
    e.lastTimestamp ??
      e.series?.lastObservedTime ??
      e.eventTime ??
      e.firstTimestamp ??
      e.metadata.creationTimestamp ??
      "",
  ) || 0;

/** How long ago, as kubectl says it: 45s, 3m12s, 42m, 5h3m, 3d. */
export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (h < 3) return `${m}m`;
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  return h < 48 ? `${h}h` : `${Math.floor(h / 24)}d`;
}

const headers = (flags: EventsFlags) => [
  ...(flags.allNamespaces ? ["NAMESPACE"] : []),
  "LAST SEEN",
  "TYPE",
  "REASON",
  "OBJECT",
  "MESSAGE",
];

function row(e: CoreEvent, flags: EventsFlags, now: number): string[] {
  const o = e.involvedObject;
  return [
    ...(flags.allNamespaces ? [e.metadata.namespace ?? ""] : []),
    age(now - lastSeen(e)),
    e.type ?? "",
    e.reason ?? "",
    `${o.kind ?? ""}/${o.name ?? ""}`,
    (e.message ?? "").trim().replace(/\s*\n\s*/g, ", "),
  ];
}

interface Query {
  namespace?: string;
  fieldSelector?: string;
}

function query(flags: EventsFlags): Query {
  const target = flags.for === undefined ? undefined : parseFor(flags.for);
  return {
    ...(flags.allNamespaces ? {} : { namespace: flags.namespace }),
    ...(target
      ? { fieldSelector: `involvedObject.kind=${target.kind},involvedObject.name=${target.name}` }
      : {}),
  };
}

async function list(client: KubeClient, q: Query) {
  return CoreEventList.parse(await client.list("v1", "Event", q));
}

/** Prints Events as they arrive until `signal` aborts; re-lists when the watch expires. */
async function follow(
  client: KubeClient,
  q: Query,
  from: string,
  print: (e: CoreEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  let resourceVersion = from;
  while (!signal.aborted) {
    const events = watch(
      client,
      { apiVersion: "v1", kind: "Event", ...q, resourceVersion, timeoutSeconds: 300 },
      signal,
    );
    for await (const ev of events) {
      if (ev.type === "ERROR")
        throw new SluiceError(`watching Events failed: ${ev.status.message ?? "unknown error"}`);
      if (ev.type === "EXPIRED") {
        resourceVersion = (await list(client, q)).metadata.resourceVersion ?? "";
        break;
      }
      resourceVersion = ev.object.metadata.resourceVersion ?? resourceVersion;
      if (ev.type === "ADDED" || ev.type === "MODIFIED") print(CoreEvent.parse(ev.object));
    }
  }
}

async function events(flags: EventsFlags): Promise<void> {
  const q = query(flags);
  await withCluster(flags, async (client) => {
    const found = await list(client, q);
    const sorted = [...found.items].sort((a, b) => lastSeen(a) - lastSeen(b));
    const now = Date.now();
    const rows = [headers(flags), ...sorted.map((e) => row(e, flags, now))];
    if (sorted.length === 0 && !flags.watch) {
      say.failure(
        `no events found in ${flags.allNamespaces ? "any namespace" : `"${flags.namespace}" namespace`}`,
      );
      return;
    }
    // with --watch, columns are wide enough for typical values, so that streamed rows line up
    const minimum = [...(flags.allNamespaces ? [16] : []), 9, 7, 24, 32];
    const widths = columnWidths(rows).map((w, i) => (flags.watch ? Math.max(w, minimum[i] ?? 0) : w));
    process.stdout.write(rows.map((r) => renderRow(r, widths)).join(""));
    if (!flags.watch) return;
    const stop = new AbortController();
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => stop.abort());
    const print = (e: CoreEvent) => process.stdout.write(renderRow(row(e, flags, Date.now()), widths));
    await follow(client, q, found.metadata.resourceVersion ?? "", print, stop.signal);
  });
}

export function registerEventsCommand(program: Command): void {
  addKubeFlags(
    program
      .command("events")
      .description(
        "show Kubernetes Events, oldest first: of one object with --for, as they come with --watch",
      ),
    { allNamespaces: true },
  )
    .option(
      "--for <kind/name>",
      "only the Events of this object, e.g. Kustomization/podinfo or Deployment/web",
    )
    .option("-w, --watch", "keep printing new Events until interrupted (Ctrl-C)", false)
    .action((flags: EventsFlags) => events(flags));
}
