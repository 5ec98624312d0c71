/**
 * `sluice bootstrap git`: commits the install and the sync objects into the repository, applies
 * them, and waits until the cluster has synced itself from the commit (ADR 0024's sibling in
 * install/bootstrap.ts). Running it again changes nothing; running a newer version upgrades.
 */
import { Option, type Command } from "commander";
import { SluiceError } from "../../common/errors.ts";
import { poll } from "../../common/poll.ts";
import { bootstrapFiles, bootstrapName, commitFiles, syncObjects } from "../../install/bootstrap.ts";
import { applyInstall, applyObject, objectId } from "../../install/apply.ts";
import { allInstallObjects, defaultImage, installObjects } from "../../install/manifests.ts";
import { sluiceVersion } from "../../install/version.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { ControllerName } from "../../server/server.ts";
import { gitSecretData, gitSecretObject } from "../create/secret.ts";
import {
  componentList,
  componentsExtraOption,
  tolerationKeysOption,
  withExtraComponents,
} from "../install/index.ts";
import { durationMs } from "../shared/flags.ts";
import { commandGroup, getObject, kustomizationKind, readiness } from "../shared/kinds.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "../shared/kube-flags.ts";
import { renderYaml, say } from "../shared/output.ts";

interface BootstrapFlags extends KubeFlags {
  url: string;
  branch: string;
  path: string;
  username?: string;
  password?: string;
  privateKeyFile?: string;
  knownHosts?: string;
  interval: string;
  components: ControllerName[];
  componentsExtra?: ControllerName[];
  tolerationKeys?: string[];
  image?: string;
  authorName: string;
  authorEmail: string;
}

async function bootstrapGit(flags: BootstrapFlags): Promise<void> {
  durationMs("--interval", flags.interval);
  const credentials = await gitSecretData({ ...flags, export: false });
  const version = await sluiceVersion();
  const components = withExtraComponents(flags);
  const install = installObjects({
    namespace: flags.namespace,
    image: flags.image ?? defaultImage(version),
    controllers: components,
    version,
    tolerationKeys: flags.tolerationKeys,
  });
  const sync = syncObjects({
    namespace: flags.namespace,
    url: flags.url,
    branch: flags.branch,
    path: flags.path,
    interval: flags.interval,
    secretName: bootstrapName,
  });
  const header = `# Sluice version: ${version}\n# Components: ${components.join(",")}\n`;
  const files = bootstrapFiles(flags.path, renderYaml(allInstallObjects(install), header), renderYaml(sync));
  say.action(`cloning branch "${flags.branch}" from Git repository "${flags.url}"`);
  const pushed = await commitFiles(
    { url: flags.url, branch: flags.branch, credentials },
    files,
    `Add Sluice v${version} component and sync manifests`,
    { name: flags.authorName, email: flags.authorEmail },
  );
  if (pushed.committed) say.success(`committed and pushed ${pushed.sha.slice(0, 7)} to "${flags.branch}"`);
  else say.success("component and sync manifests are up to date");
  await withCluster(flags, async (client) => {
    say.action(`installing components in "${flags.namespace}" namespace`);
    await applyInstall(client, install, {
      timeoutMs: flags.timeout,
      onApplied: (subject, action) => process.stdout.write(`${subject} ${action}\n`),
    });
    say.action("applying the repository's credentials and the sync objects");
    for (const obj of [gitSecretObject(bootstrapName, flags.namespace, credentials), ...sync]) {
      const { action } = await applyObject(client, obj);
      process.stdout.write(`${objectId(obj)} ${action}\n`);
    }
    say.waiting(
      `waiting for Kustomization "${flags.namespace}/${bootstrapName}" to apply ${pushed.sha.slice(0, 7)}`,
    );
    await waitForSync(client, flags, pushed.sha);
    say.success("bootstrap finished: the cluster syncs itself from git");
  });
}

/** Until the Kustomization is Ready at `sha`; a reconcile of that revision that failed ends the wait. */
async function waitForSync(client: KubeClient, flags: BootstrapFlags, sha: string): Promise<void> {
  await poll(
    `Kustomization ${flags.namespace}/${bootstrapName} to apply ${sha.slice(0, 7)}`,
    async () => {
      const obj = await getObject(client, kustomizationKind, bootstrapName, flags.namespace);
      const status = obj.status as
        { lastAttemptedRevision?: string; lastAppliedRevision?: string } | undefined;
      const { ready, message } = readiness(obj);
      if (status?.lastAppliedRevision?.endsWith(sha) && ready === "True") return true;
      if (status?.lastAttemptedRevision?.endsWith(sha) && ready === "False")
        throw new SluiceError(`Kustomization ${flags.namespace}/${bootstrapName} failed: ${message}`);
      return undefined;
    },
    {
      timeoutMs: flags.timeout,
      intervalMs: 1000,
      hint: "is 'sluice server' running against this cluster?",
    },
  );
}

export function registerBootstrapCommands(program: Command): void {
  const group = commandGroup(
    program,
    "bootstrap",
    "commit Sluice's install and sync objects into a repository and apply them",
  );
  addKubeFlags(
    group
      .command("git")
      .description(
        "bootstrap from any Git server: the cluster then syncs itself, Sluice included, from the repository",
      )
      .requiredOption("--url <url>", "the repository (http(s):// or ssh://)")
      .option("--branch <branch>", "branch to commit to and sync", "main")
      .option("--path <dir>", "the cluster's directory in the repository", "clusters/my-cluster")
      .option("-u, --username <name>", "basic auth user name (HTTPS)")
      .option(
        "-p, --password <password>",
        "basic auth password (HTTPS), or the private key's passphrase (SSH)",
      )
      .option("--private-key-file <file>", "SSH private key")
      .option("--known-hosts <file>", "known_hosts file with the SSH server's host key")
      .option("--interval <duration>", "how often the cluster fetches the repository", "1m")
      .addOption(
        new Option("--components <list>", "comma-separated controllers")
          .default(["gitrepository", "kustomization"], "gitrepository,kustomization")
          .argParser(componentList),
      )
      .addOption(componentsExtraOption())
      .addOption(tolerationKeysOption())
      .option(
        "--read-write-key",
        "accepted as flux's: a plain Git server has no deploy keys, so the cluster gets the credentials given, with their access",
        false,
      )
      .option("--image <ref>", "the Sluice image (default: this version's)")
      .option("--author-name <name>", "author of the bootstrap commit", "Sluice")
      .option("--author-email <email>", "author email of the bootstrap commit", "sluice@sluice.invalid"),
  ).action(bootstrapGit);
}
