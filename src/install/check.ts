/**
 * `sluice check`: what `flux check` looks at, as a list of findings. Prerequisites: the Kubernetes
 * version. Installation: the server's Deployment (ready, image) and the CRDs of the controllers it
 * runs (each with its storage version).
 */
import { crds } from "../api/registry.ts";
import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import { computeHealth } from "../kube/health.ts";
import type { KubeObject } from "../kube/objects.ts";
import { compareVersions, parseVersion } from "../semver/version.ts";
import type { ControllerName } from "../server/server.ts";
import { crdsFor, serverName } from "./manifests.ts";

/** The oldest Kubernetes the server is tested against: server-side apply and CRD v1 features. */
export const minimumKubernetes = "1.28.0";

export interface Finding {
  /** `info` is a detail that neither passes nor fails (a controller's image) */
  readonly status: "ok" | "failed" | "info";
  readonly message: string;
}

const finding = (ok: boolean, message: string): Finding => ({ status: ok ? "ok" : "failed", message });

export interface CheckSection {
  readonly title: string;
  readonly findings: readonly Finding[];
}

export async function checkPrerequisites(client: KubeClient): Promise<CheckSection> {
  const info = await client.request<{ gitVersion?: string }>("GET", "/version");
  const raw = (info.gitVersion ?? "").replace(/^v/, "");
  const version = parseVersion(raw.split("+")[0] ?? "");
  const minimum = parseVersion(minimumKubernetes)!;
  const ok = version !== undefined && compareVersions(version, minimum) >= 0;
  return {
    title: "checking prerequisites",
    findings: [finding(ok, `Kubernetes ${raw || "(unknown version)"} >=${minimumKubernetes}-0`)],
  };
}

type Deployment = KubeObject & {
  spec?: { template?: { spec?: { containers?: { image?: string; args?: string[] }[] } } };
};

export async function checkInstallation(client: KubeClient, namespace: string): Promise<CheckSection[]> {
  const deployment = await client
    .get<Deployment>("apps/v1", "Deployment", serverName, namespace)
    .catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  const controllers: Finding[] = [];
  if (deployment === undefined) {
    controllers.push(finding(false, `${serverName}: deployment not found in ${namespace} namespace`));
  } else {
    const health = computeHealth(deployment);
    const ready = health.status === "Current";
    controllers.push(
      finding(ready, `${serverName}: deployment ${ready ? "ready" : `not ready: ${health.message}`}`),
    );
    for (const c of deployment.spec?.template?.spec?.containers ?? []) {
      if (c.image) controllers.push({ status: "info", message: c.image });
    }
  }
  return [
    { title: "checking controllers", findings: controllers },
    { title: "checking crds", findings: await checkCrds(client, controllersOf(deployment)) },
  ];
}

/** The controllers the Deployment runs (its `--controllers=` argument), or all of them. */
function controllersOf(deployment: Deployment | undefined): ControllerName[] | undefined {
  const args = deployment?.spec?.template?.spec?.containers?.flatMap((c) => c.args ?? []) ?? [];
  const flag = args.find((a) => a.startsWith("--controllers="));
  return flag ? (flag.slice("--controllers=".length).split(",") as ControllerName[]) : undefined;
}

type Crd = KubeObject & { spec: { versions: { name: string; storage?: boolean }[] } };

async function checkCrds(client: KubeClient, controllers: ControllerName[] | undefined): Promise<Finding[]> {
  const wanted = controllers ? crdsFor(controllers) : crds;
  const findings: Finding[] = [];
  for (const crd of wanted) {
    const name = crd.metadata.name;
    const installed = await client
      .get<Crd>("apiextensions.k8s.io/v1", "CustomResourceDefinition", name)
      .catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
    const storage = installed?.spec.versions.find((v) => v.storage)?.name;
    findings.push(
      installed === undefined
        ? finding(false, `${name}: not installed`)
        : finding(true, `${name}/${storage ?? "(no storage version)"}`),
    );
  }
  return findings;
}
