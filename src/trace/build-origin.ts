/**
 * The CI half of a trace: the commits a build took, the build, and the images its puts pushed
 * (from the versions the store recorded: a registry image's put keeps its repository and tags).
 */
import { buildNames } from "../ci/api/context.ts";
import type { BuildNames } from "../ci/api/presenters.ts";
import type { BuildRecord, CiStore, ResourceRecord, VersionMetadata } from "../ci/store/store.ts";
import { optional, type TraceStep } from "./trace-types.ts";

/** An image a build pushed, or that a workload runs: what the CD half follows. */
export interface PushedImage {
  repository: string;
  digest: string;
  tags: string[];
}

export interface BuildOrigin {
  /** Commits, then the build. */
  steps: TraceStep[];
  images: (PushedImage & { step: TraceStep })[];
}

const imageTypes = new Set(["registry-image", "docker-image"]);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const field = (metadata: VersionMetadata, name: string) => metadata.find((m) => m.name === name)?.value;

/** A date git printed (`2026-12-04 09:42:59 +0000`, or ISO) as ISO 8601; undefined when unreadable. */
function gitDate(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const parsed = new Date(text.replace(/^(\S+) (\S+) ([+-]\d\d)(\d\d)$/, "$1T$2$3:$4"));
  return Number.isNaN(parsed.getTime()) ? undefined : parsed.toISOString();
}

export function buildTitle(build: BuildRecord, names: BuildNames): string {
  const where =
    names.pipeline && names.job ? `${names.team}/${names.pipeline.name}/${names.job} ` : "one-off ";
  return `${where}#${build.name}`;
}

function buildState(build: BuildRecord): TraceStep["state"] {
  if (build.status === "succeeded") return "done";
  if (build.status === "pending" || build.status === "started") return "waiting";
  return "failed";
}

export async function buildOrigin(store: CiStore, buildId: number): Promise<BuildOrigin | undefined> {
  const found = await store.buildVersions(buildId);
  if (!found) return undefined;
  const { build, inputs, outputs } = found;
  const resources = new Map<number, ResourceRecord>();
  if (build.pipelineId !== undefined)
    for (const r of await store.listResources(build.pipelineId)) resources.set(r.id, r);
  const steps: TraceStep[] = [];
  for (const input of inputs) {
    if (resources.get(input.resourceId)?.type !== "git") continue;
    const version = await store.getVersion(input.versionId);
    if (!version) continue;
    const sha = String(version.version["ref"] ?? "");
    const message = field(version.metadata, "message") ?? "";
    steps.push({
      stage: "commit",
      state: "done",
      title: `${input.name} @ ${sha.slice(0, 12)}`,
      detail: `${message.split("\n")[0]}${field(version.metadata, "author") ? ` — ${field(version.metadata, "author")}` : ""}`,
      ...optional("at", gitDate(field(version.metadata, "committer_date"))),
    });
  }
  steps.push({
    stage: "build",
    state: buildState(build),
    title: `build ${buildTitle(build, await buildNames(store, build))}`,
    detail: build.status,
    link: `/builds/${build.id}`,
    ...optional("at", iso(build.startedAt ?? build.createdAt)),
  });
  const images: BuildOrigin["images"] = [];
  const putEnds = await putEndTimes(store, build.id);
  for (const output of outputs) {
    if (!imageTypes.has(resources.get(output.resourceId)?.type ?? "")) continue;
    const version = await store.getVersion(output.versionId);
    const repository = version && field(version.metadata, "repository");
    const digest = version && String(version.version["digest"] ?? "");
    if (!repository || !digest) continue;
    const tags = (field(version.metadata, "tags") ?? String(version.version["tag"] ?? "")).split(" ");
    const pushedAt = putEnds.get(output.name) ?? build.endedAt;
    images.push({
      repository,
      digest,
      tags: tags.filter(Boolean),
      step: {
        stage: "image",
        state: "done",
        title: `${repository}:${tags.filter(Boolean).join(", ")}`,
        detail: digest,
        ...optional("at", iso(pushedAt)),
      },
    });
  }
  return { steps, images };
}

/** When each put step (by resource name) finished, from the build's events. */
async function putEndTimes(store: CiStore, buildId: number): Promise<Map<string, number>> {
  const ends = new Map<string, number>();
  for (const event of await store.readBuildEvents(buildId)) {
    const data = event.data as { step?: string; name?: string };
    if (event.type === "step-finished" && data.step === "put" && data.name) ends.set(data.name, event.time);
  }
  return ends;
}
