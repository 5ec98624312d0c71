/**
 * `sluice migrate flux-v1`: what a repository's Flux v1 annotations become in Flux v2: an
 * ImageRepository per image, an ImagePolicy per automated container, an ImageUpdateAutomation,
 * and the marker comment to put after each automated image.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fluxApiVersions } from "../../api/kinds.ts";
import { markerSuggestions } from "../../automation/workload-images.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { imageObjects, scanWorkloads } from "../../server/flux-v1/objects.ts";
import { renderYaml } from "../shared/output.ts";

export interface MigrateOptions {
  /** namespace of the printed objects */
  namespace: string;
  /** the GitRepository the automation pushes to */
  source: string;
  /** `--git-path` of the v1 daemon: the automation's update path */
  path: string;
  registryInsecureHosts: readonly string[];
}

export interface Migration {
  objects: KubeObject[];
  /** `file:line: image # marker` lines */
  markers: string[];
  problems: string[];
}

/** The Flux v2 equivalent of the YAML files given (path → text). */
export function migrate(files: ReadonlyMap<string, string>, options: MigrateOptions): Migration {
  const scan = scanWorkloads(files);
  const generated = imageObjects(
    {
      namespace: options.namespace,
      automationInterval: "5m",
      registryInsecureHosts: options.registryInsecureHosts,
    },
    scan.containers,
  );
  const objects = generated.objects.map(withoutLabels);
  if (objects.length > 0) objects.push(automation(options));
  const policies = new Set(
    objects.filter((o) => o.kind === "ImagePolicy").map((o) => `${options.namespace}:${o.metadata.name}`),
  );
  const markers = [...files].flatMap(([file, text]) =>
    markerSuggestions(text, options.namespace)
      .filter((m) => policies.has(m.policy))
      .map((m) => `${file}:${m.line}: ${m.image} ${m.comment}`),
  );
  return { objects, markers, problems: [...scan.problems, ...generated.problems] };
}

/** Objects, then the markers as YAML comments, so the output stays one valid YAML stream. */
export function renderMigration(migration: Migration): string {
  const notes = migration.markers.length
    ? `# put these markers after the images (and drop the flux.weave.works/fluxcd.io annotations):\n${migration.markers.map((m) => `#   ${m}`).join("\n")}\n`
    : "# no automated workloads found\n";
  return renderYaml(migration.objects) + notes;
}

function withoutLabels(obj: KubeObject): KubeObject {
  const { labels: _labels, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function automation(options: MigrateOptions): KubeObject {
  return {
    apiVersion: fluxApiVersions.ImageUpdateAutomation,
    kind: "ImageUpdateAutomation",
    metadata: { name: "flux-v1", namespace: options.namespace },
    spec: {
      interval: "5m",
      sourceRef: { kind: "GitRepository", name: options.source },
      git: { commit: { author: { name: "Weave Flux", email: "support@weave.works" } } },
      update: { path: `./${options.path.replace(/^\.?\/+/, "")}`, strategy: "Setters" },
    },
  };
}

/** The `.yaml`/`.yml` files under `dir`, by path relative to it; links are not followed. */
export async function readYamlFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const wanted = entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((p) => !p.split(path.sep).includes(".git"))
    .sort();
  for (const file of wanted) files.set(path.relative(dir, file), await readFile(file, "utf8"));
  return files;
}
