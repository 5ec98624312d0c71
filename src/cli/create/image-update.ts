/**
 * `sluice create image update`: an ImageUpdateAutomation from flags, exported as YAML or applied and
 * awaited (the first run: `repository up-to-date` or `pushed commit '…' to branch '…'`).
 */
import type { Command } from "commander";
import { Duration } from "../../api/duration.ts";
import { ImageUpdateAutomationSpec } from "../../api/image/imageupdateautomation/index.ts";
import { checkCommitTemplate } from "../../automation/commit-template.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { createImageGroup } from "./image.ts";
import { checkedSpec, exportOrApply, objectOf, type CreateFlags } from "./shared.ts";
import { apiField, nameAndNamespace, objectName, usageError } from "../shared/flags.ts";
import { imageUpdateKind } from "../shared/kinds.ts";
import { addKubeFlags } from "../shared/kube-flags.ts";

interface ImageUpdateFlags extends CreateFlags {
  gitRepoRef: string;
  gitRepoPath?: string;
  checkoutBranch?: string;
  pushBranch?: string;
  authorName?: string;
  authorEmail: string;
  commitTemplate?: string;
  interval: string;
}

/** A branch name: not empty, and nothing git refuses in a ref (`git check-ref-format --branch`). */
function branchName(flag: string, value: string): string {
  const invalid =
    value === "" ||
    value.startsWith("-") ||
    value.startsWith("/") ||
    value.endsWith("/") ||
    value.endsWith(".") ||
    value.endsWith(".lock") ||
    value.includes("..") ||
    value.includes("//") ||
    value.includes("@{") ||
    value === "@" ||
    /[\x00-\x20\x7f~^:?*[\\]/.test(value);
  if (invalid) throw usageError(`${flag} "${value}" is not a valid branch name`);
  return value;
}

/** `--commit-template`: parsed as the controller parses it, so a template it would refuse exits 2 here. */
function commitTemplate(value: string): string {
  const bad = checkCommitTemplate(value);
  if (bad)
    throw usageError(
      `--commit-template: ${bad.message}`,
      "a Go template, e.g. '{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}'",
    );
  return value;
}

/** Validates every flag (exit 2) and builds the object, before any call to the cluster. */
export function buildImageUpdateAutomation(name: string, flags: ImageUpdateFlags): KubeObject {
  objectName("ImageUpdateAutomation name", name);
  const source = nameAndNamespace("--git-repo-ref", flags.gitRepoRef, false);
  if (flags.authorEmail === "") throw usageError("--author-email must not be empty");
  const commit: Record<string, unknown> = {
    author: {
      ...(flags.authorName !== undefined ? { name: flags.authorName } : {}),
      email: flags.authorEmail,
    },
  };
  if (flags.commitTemplate !== undefined) commit["messageTemplate"] = commitTemplate(flags.commitTemplate);
  const git: Record<string, unknown> = {};
  if (flags.checkoutBranch !== undefined)
    git["checkout"] = { ref: { branch: branchName("--checkout-branch", flags.checkoutBranch) } };
  git["commit"] = commit;
  if (flags.pushBranch !== undefined) git["push"] = { branch: branchName("--push-branch", flags.pushBranch) };
  const spec: Record<string, unknown> = {
    sourceRef: { kind: "GitRepository", ...source },
    git,
    interval: apiField("--interval", flags.interval, Duration),
    update: {
      strategy: "Setters",
      ...(flags.gitRepoPath !== undefined ? { path: flags.gitRepoPath } : {}),
    },
  };
  const kind = imageUpdateKind;
  return objectOf(kind, name, flags.namespace, checkedSpec(kind, spec, ImageUpdateAutomationSpec));
}

export function registerCreateImageUpdateCommand(program: Command): void {
  addKubeFlags(
    createImageGroup(program)
      .command("update")
      .description(
        "create or update an ImageUpdateAutomation and wait until it ran: committed the policies' images or found them in place",
      )
      .argument("<name>", "name of the ImageUpdateAutomation")
      .requiredOption(
        "--git-repo-ref <name>",
        "GitRepository whose URL and credentials to clone and push with: NAME[.NAMESPACE]",
      )
      .option(
        "--git-repo-path <path>",
        "directory of the manifests to update, relative to the repository root (default: the root)",
      )
      .option(
        "--checkout-branch <branch>",
        "branch to check out and commit on (default: the GitRepository's branch)",
      )
      .option("--push-branch <branch>", "branch to push to (default: the checkout branch)")
      .option("--author-name <name>", "name of the commits' author")
      .requiredOption("--author-email <email>", "email of the commits' author")
      .option("--commit-template <template>", "Go template of the commit message")
      .option("--interval <duration>", "how often to run the automation", "1m")
      .option("--export", "print the ImageUpdateAutomation as YAML instead of applying it", false),
  ).action((name: string, flags: ImageUpdateFlags) =>
    exportOrApply(imageUpdateKind, buildImageUpdateAutomation(name, flags), flags),
  );
}
