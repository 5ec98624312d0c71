/** `sluice create kustomization`: a Kustomization from flags, exported as YAML or applied and awaited. */
import path from "node:path";
import type { Command } from "commander";
import { Duration } from "../../api/duration.ts";
import { SOURCE_KINDS } from "../../api/kustomize/kustomization/common.ts";
import { KustomizationSpec } from "../../api/kustomize/kustomization/index.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { applyAndAwait, createGroup } from "./shared.ts";
import {
  apiField,
  collectList,
  nameAndNamespace,
  namespaceName,
  objectName,
  usageError,
} from "../shared/flags.ts";
import { kustomizationKind as kind, wellKnownKind } from "../shared/kinds.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "../shared/kube-flags.ts";
import { renderYaml, say } from "../shared/output.ts";

interface KustomizationFlags extends KubeFlags {
  source: string;
  path: string;
  prune: boolean;
  interval: string;
  wait: boolean;
  healthCheck?: string[];
  healthCheckTimeout?: string;
  targetNamespace?: string;
  dependsOn?: string[];
  serviceAccount?: string;
  retryInterval?: string;
  export: boolean;
}

/** `[Kind/]name[.namespace]`; the kind defaults to GitRepository. */
function sourceRef(value: string): Record<string, string> {
  const slash = value.indexOf("/");
  const given = slash < 0 ? "GitRepository" : value.slice(0, slash);
  const kindName = SOURCE_KINDS.find((k) => k.toLowerCase() === given.toLowerCase());
  if (!kindName)
    throw usageError(
      `--source kind "${given}" is not one of ${SOURCE_KINDS.join(", ")}`,
      "e.g. GitRepository/podinfo",
    );
  return { kind: kindName, ...nameAndNamespace("--source", value.slice(slash + 1), false) };
}

/** `[group/version/]Kind/name.namespace`; well-known kinds need no API version. */
function healthCheck(value: string): Record<string, string> {
  const parts = value.split("/");
  const format = "[apiVersion/]Kind/NAME.NAMESPACE, e.g. Deployment/podinfo.apps";
  if (parts.length < 2 || parts.length > 4 || parts.some((p) => !p))
    throw usageError(`--health-check "${value}" is not ${format}`);
  const [kindName, nameNs] = parts.slice(-2) as [string, string];
  const known = wellKnownKind(kindName);
  const apiVersion = parts.length > 2 ? parts.slice(0, -2).join("/") : known?.apiVersion;
  if (!apiVersion) {
    throw usageError(
      `--health-check "${value}": the API version of kind ${kindName} is not known`,
      `spell it out: group/version/${kindName}/NAME.NAMESPACE`,
    );
  }
  const kindSpelled = parts.length > 2 ? kindName : (known?.kind ?? kindName);
  return { apiVersion, kind: kindSpelled, ...nameAndNamespace("--health-check", nameNs, true) };
}

/** `[namespace/]name` */
function dependsOn(value: string): Record<string, string> {
  const [first, second, ...rest] = value.split("/");
  if (rest.length) throw usageError(`--depends-on "${value}" is not [NAMESPACE/]NAME`);
  return second === undefined
    ? { name: objectName("--depends-on", first!) }
    : { name: objectName("--depends-on", second), namespace: namespaceName(first!) };
}

/** A path relative to the source root, as Flux writes it: `./apps`, `./` for the root. */
function sourcePath(value: string): string {
  if (path.posix.isAbsolute(value)) throw usageError(`--path "${value}" must be relative to the source root`);
  const clean = path.posix.normalize(value).replace(/\/+$/, "");
  if (clean === ".." || clean.startsWith("../"))
    throw usageError(`--path "${value}" leads outside the source`);
  return clean === "." || clean === "" ? "./" : `./${clean}`;
}

function optionalFields(flags: KustomizationFlags): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (flags.retryInterval !== undefined)
    spec["retryInterval"] = apiField("--retry-interval", flags.retryInterval, Duration);
  if (flags.healthCheckTimeout !== undefined)
    spec["timeout"] = apiField("--health-check-timeout", flags.healthCheckTimeout, Duration);
  if (flags.targetNamespace !== undefined) spec["targetNamespace"] = namespaceName(flags.targetNamespace);
  if (flags.serviceAccount !== undefined)
    spec["serviceAccountName"] = objectName("--service-account", flags.serviceAccount);
  if (flags.wait) spec["wait"] = true;
  if (flags.healthCheck?.length) spec["healthChecks"] = flags.healthCheck.map(healthCheck);
  if (flags.dependsOn?.length) spec["dependsOn"] = flags.dependsOn.map(dependsOn);
  return spec;
}

/** Validates every flag (exit 2) and builds the object, before any call to the cluster. */
export function buildKustomization(name: string, flags: KustomizationFlags): KubeObject {
  objectName("Kustomization name", name);
  const spec: Record<string, unknown> = {
    interval: apiField("--interval", flags.interval, Duration),
    path: sourcePath(flags.path),
    prune: flags.prune,
    sourceRef: sourceRef(flags.source),
    ...optionalFields(flags),
  };
  const checked = KustomizationSpec.safeParse(spec);
  if (!checked.success)
    throw usageError(`invalid Kustomization: ${checked.error.issues[0]?.message ?? "invalid spec"}`);
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    metadata: { name, namespace: flags.namespace },
    spec,
  };
}

async function createKustomization(name: string, flags: KustomizationFlags): Promise<void> {
  const obj = buildKustomization(name, flags);
  if (flags.export) {
    process.stdout.write(renderYaml([obj]));
    return;
  }
  say.generate("generating Kustomization");
  await withCluster(flags, async (client) => {
    const ready = await applyAndAwait(client, kind, obj, { noun: "Kustomization", timeoutMs: flags.timeout });
    say.success(`Kustomization ${name} is ready`);
    say.success(kind.result(ready));
  });
}

export function registerCreateKustomizationCommands(program: Command): void {
  addKubeFlags(
    createGroup(program)
      .command("kustomization")
      .alias("ks")
      .description("create or update a Kustomization and wait until it applied its source's revision")
      .argument("<name>", "name of the Kustomization")
      .requiredOption(
        "--source <source>",
        "source to build: [GitRepository/]NAME[.NAMESPACE] (OCIRepository/ and Bucket/ are accepted too)",
      )
      .option("--path <path>", "directory in the source holding the manifests", "./")
      .option("--prune", "delete objects that left the source", false)
      .option("--interval <duration>", "how often to reconcile", "1m")
      .option("--retry-interval <duration>", "how soon to retry a failed reconcile (default: --interval)")
      .option("--wait", "wait for every applied object to become healthy (spec.wait)", false)
      .option(
        "--health-check <refs>",
        "object whose health decides readiness: [apiVersion/]Kind/NAME.NAMESPACE (comma-separated, repeatable)",
        collectList,
      )
      .option("--health-check-timeout <duration>", "limit for building, applying and health checking")
      .option("--target-namespace <ns>", "namespace set on every namespaced object")
      .option(
        "--depends-on <refs>",
        "Kustomization that must be ready first: [NAMESPACE/]NAME (comma-separated, repeatable)",
        collectList,
      )
      .option("--service-account <name>", "ServiceAccount to impersonate while applying")
      .option("--export", "print the Kustomization as YAML instead of applying it", false),
  ).action(createKustomization);
}
