/** `sluice install` and `sluice uninstall`: the server, its RBAC and the CRDs, in one command. */
import { Option, type Command } from "commander";
import { applyInstall, objectId, uninstall, waitForDeployment } from "../../install/apply.ts";
import {
  allInstallObjects,
  componentAliases,
  defaultImage,
  installObjects,
  serverName,
  type InstallOptions,
} from "../../install/manifests.ts";
import { sluiceVersion } from "../../install/version.ts";
import { knownControllers, type ControllerName } from "../../server/server.ts";
import { collectList, usageError } from "../shared/flags.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "../shared/kube-flags.ts";
import { renderYaml, say } from "../shared/output.ts";
import { confirm } from "../shared/prompt.ts";

/** `--components`: controller names (and Flux's controller names as aliases), checked. */
export function componentList(value: string): ControllerName[] {
  const names = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const known = knownControllers as readonly string[];
  const out: string[] = names.flatMap((n): readonly string[] => componentAliases[n] ?? [n]);
  const unknown = out.filter((n) => !known.includes(n));
  if (unknown.length || out.length === 0) {
    throw usageError(
      `unknown component(s): ${unknown.join(", ") || "(none given)"}`,
      `known: ${knownControllers.join(", ")}`,
    );
  }
  return [...new Set(out)] as ControllerName[];
}

/** `--components-extra`: controllers added to `--components`, as `flux install` adds the image controllers. */
export function componentsExtraOption(): Option {
  return new Option(
    "--components-extra <list>",
    "comma-separated controllers added to --components (e.g. image-reflector-controller,image-automation-controller)",
  ).argParser(componentList);
}

/** `--toleration-keys`: taints the server's Pod tolerates, so it may run on dedicated nodes. */
export function tolerationKeysOption(): Option {
  return new Option(
    "--toleration-keys <keys>",
    "comma-separated taint keys the server's Pod tolerates (e.g. a dedicated node pool's)",
  ).argParser(collectList);
}

export const withExtraComponents = (flags: {
  components: ControllerName[];
  componentsExtra?: ControllerName[];
}): ControllerName[] => [...new Set([...flags.components, ...(flags.componentsExtra ?? [])])];

interface InstallFlags extends KubeFlags {
  export: boolean;
  image?: string;
  components: ControllerName[];
  componentsExtra?: ControllerName[];
  logLevel: string;
  wait: boolean;
  tolerationKeys?: string[];
}

async function options(flags: InstallFlags): Promise<InstallOptions> {
  const version = await sluiceVersion();
  return {
    namespace: flags.namespace,
    image: flags.image ?? defaultImage(version),
    controllers: withExtraComponents(flags),
    version,
    logLevel: flags.logLevel,
    tolerationKeys: flags.tolerationKeys,
  };
}

async function install(flags: InstallFlags): Promise<void> {
  const opts = await options(flags);
  const objects = installObjects(opts);
  if (flags.export) {
    const header = `# Sluice version: ${opts.version}\n# Components: ${opts.controllers.join(",")}\n`;
    process.stdout.write(renderYaml(allInstallObjects(objects), header));
    return;
  }
  await withCluster(flags, async (client) => {
    say.action(`installing components in ${flags.namespace} namespace`);
    await applyInstall(client, objects, {
      timeoutMs: flags.timeout,
      onApplied: (subject, action) => process.stdout.write(`${subject} ${action}\n`),
    });
    say.success("install applied");
    if (flags.wait) {
      say.waiting("verifying installation");
      await waitForDeployment(client, serverName, flags.namespace, flags.timeout);
      say.success(`${serverName}: deployment ready`);
    }
    say.success("install finished");
  });
}

interface UninstallFlags extends KubeFlags {
  keepCrds: boolean;
  keepNamespace: boolean;
  silent: boolean;
}

async function uninstallCommand(flags: UninstallFlags): Promise<void> {
  const what = flags.keepCrds
    ? "Sluice"
    : "Sluice and its custom resource definitions (and every object of those kinds)";
  await confirm(`Are you sure you want to delete ${what} from namespace ${flags.namespace}?`, flags.silent);
  const version = await sluiceVersion();
  const objects = installObjects({
    namespace: flags.namespace,
    image: defaultImage(version),
    controllers: knownControllers,
    version,
  });
  await withCluster(flags, async (client) => {
    say.action(`deleting components in ${flags.namespace} namespace`);
    await uninstall(client, objects, {
      keepCrds: flags.keepCrds,
      keepNamespace: flags.keepNamespace,
      onDeleted: (obj) => process.stdout.write(`${objectId(obj)} deleted\n`),
    });
    say.success("uninstall finished");
  });
}

export function registerInstallCommands(program: Command): void {
  addKubeFlags(
    program
      .command("install")
      .description(
        "install the Sluice server, its RBAC and the Flux CRDs in a cluster (or print them with --export)",
      )
      .option("--export", "print the manifests as YAML instead of applying them", false)
      .option("--image <ref>", "the Sluice image (default: ghcr.io/sluice/sluice:v<version>)")
      .addOption(
        new Option(
          "--components <list>",
          "comma-separated controllers to run (Flux names such as source-controller work too)",
        )
          .default([...knownControllers], knownControllers.join(","))
          .argParser(componentList),
      )
      .addOption(componentsExtraOption())
      .addOption(tolerationKeysOption())
      .addOption(
        new Option("--log-level <level>", "server log level")
          .choices(["debug", "info", "warn", "error"])
          .default("info"),
      )
      .option("--no-wait", "do not wait for the Deployment to roll out"),
  ).action(install);

  addKubeFlags(
    program
      .command("uninstall")
      .description(
        "delete the Sluice server, its RBAC, the Namespace and the CRDs (with every object of those kinds)",
      )
      .option("--keep-crds", "keep the CRDs and the objects of those kinds", false)
      .option("--keep-namespace", "keep the namespace", false)
      .option("-s, --silent", "do not ask for confirmation", false),
  ).action(uninstallCommand);
}
