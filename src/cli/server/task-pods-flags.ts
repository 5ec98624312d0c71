/** The Kubernetes worker's flags of `sluice server`: where tasks run as Pods. */
import type { Command } from "commander";
import type { TaskPodsOptions } from "../../server/ci-engine.ts";
import { collectRepeated, namespaceName, usageError } from "../shared/flags.ts";

export interface TaskPodsFlags {
  taskPodsNamespace?: string;
  taskPodsNodeSelector?: string[];
  taskPodsHelperImage?: string;
  taskPodsDefault: boolean;
}

export function addTaskPodsFlags(command: Command): Command {
  return command
    .option(
      "--task-pods-namespace <ns>",
      "run tasks tagged `kubernetes` as Pods in this namespace (the Kubernetes worker; made when missing)",
      namespaceName,
    )
    .option(
      "--task-pods-node-selector <key=value>",
      "put task Pods on nodes with this label, tolerating taints of its key (repeatable)",
      collectRepeated,
    )
    .option(
      "--task-pods-helper-image <image>",
      "image with sh and tar that copies a task Pod's files (default busybox:1.36)",
    )
    .option("--task-pods-default", "run every container task as a Pod, tagged or not", false);
}

/** The Kubernetes worker's options, or undefined without `--task-pods-namespace`. */
export function taskPodsOptions(flags: TaskPodsFlags): TaskPodsOptions | undefined {
  const namespace = flags.taskPodsNamespace;
  if (namespace === undefined) {
    if (flags.taskPodsDefault || flags.taskPodsNodeSelector || flags.taskPodsHelperImage)
      throw usageError("--task-pods-*: the Kubernetes worker needs --task-pods-namespace");
    return undefined;
  }
  const nodeSelector: Record<string, string> = {};
  for (const pair of flags.taskPodsNodeSelector ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0) throw usageError(`--task-pods-node-selector ${pair}: expected key=value`);
    nodeSelector[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return {
    namespace,
    nodeSelector,
    helperImage: flags.taskPodsHelperImage,
    byDefault: flags.taskPodsDefault,
  };
}
