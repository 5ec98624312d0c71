/**
 * `sluice create receiver|alert-provider|alert`: the notification objects from flags, exported as YAML
 * or applied. A Receiver is awaited until Ready (its webhook path printed); a v1beta3 Provider or
 * Alert has no status, so it is applied without waiting.
 */
import type { Command } from "commander";
import { EventSeverity } from "../../api/notification/alert/common.ts";
import { AlertSpec } from "../../api/notification/alert/index.ts";
import { ReferencedKind } from "../../api/notification/common.ts";
import { Address, Channel, Username } from "../../api/notification/provider/common.ts";
import { ProviderSpec, ProviderType } from "../../api/notification/provider/index.ts";
import { ReceiverSpec, ReceiverType } from "../../api/notification/receiver/index.ts";
import { applyObject } from "../../install/apply.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { checkedSpec, createGroup, exportOrApply, objectOf, type CreateFlags } from "./shared.ts";
import {
  apiField,
  collectList,
  nameAndNamespace,
  namespaceName,
  objectName,
  usageError,
} from "../shared/flags.ts";
import { alertKind, alertProviderKind, ensureServed, receiverKind, type KindInfo } from "../shared/kinds.ts";
import { addKubeFlags, withCluster } from "../shared/kube-flags.ts";
import { say } from "../shared/output.ts";

interface ReceiverFlags extends CreateFlags {
  type: string;
  event?: string[];
  resource: string[];
  secretRef: string;
}

interface ProviderFlags extends CreateFlags {
  type: string;
  address?: string;
  channel?: string;
  username?: string;
  secretRef?: string;
}

interface AlertFlags extends CreateFlags {
  providerRef: string;
  eventSource: string[];
  eventSeverity?: string;
}

/**
 * `KIND/NAME[.NAMESPACE]` (`--resource`, `--event-source`): the kind one Flux's notification API
 * names (any case), the name split from the namespace at the last dot; `*` selects every object.
 */
export function crossNamespaceRef(flag: string, value: string): Record<string, string> {
  const slash = value.indexOf("/");
  const hint = `e.g. ${flag} GitRepository/podinfo or ${flag} 'Kustomization/*.apps'`;
  if (slash < 0) throw usageError(`${flag} "${value}" must be KIND/NAME[.NAMESPACE]`, hint);
  const given = value.slice(0, slash);
  const rest = value.slice(slash + 1);
  const kind = ReferencedKind.options.find((k) => k.toLowerCase() === given.toLowerCase());
  if (!kind)
    throw usageError(
      `${flag} "${value}": unknown kind "${given}"`,
      `one of ${ReferencedKind.options.join(", ")}`,
    );
  if (rest === "*") return { kind, name: "*" };
  if (rest.startsWith("*.")) return { kind, name: "*", namespace: namespaceName(rest.slice(2)) };
  return { kind, ...nameAndNamespace(flag, rest, false) };
}

/** Validates every flag (exit 2) and builds the object, before any call to the cluster. */
export function buildReceiver(name: string, flags: ReceiverFlags): KubeObject {
  objectName("Receiver name", name);
  const spec: Record<string, unknown> = { type: apiField("--type", flags.type, ReceiverType) };
  if (flags.event?.length) spec["events"] = flags.event;
  if (flags.resource.length === 0) throw usageError("--resource is required: the objects to reconcile");
  spec["resources"] = flags.resource.map((r) => crossNamespaceRef("--resource", r));
  spec["secretRef"] = { name: objectName("--secret-ref", flags.secretRef) };
  const kind = receiverKind;
  return objectOf(kind, name, flags.namespace, checkedSpec(kind, spec, ReceiverSpec));
}

/** Validates every flag (exit 2) and builds the object, before any call to the cluster. */
export function buildProvider(name: string, flags: ProviderFlags): KubeObject {
  objectName("Provider name", name);
  const spec: Record<string, unknown> = { type: apiField("--type", flags.type, ProviderType) };
  if (flags.address !== undefined) spec["address"] = apiField("--address", flags.address, Address);
  if (flags.channel !== undefined) spec["channel"] = apiField("--channel", flags.channel, Channel);
  if (flags.username !== undefined) spec["username"] = apiField("--username", flags.username, Username);
  if (flags.secretRef !== undefined)
    spec["secretRef"] = { name: objectName("--secret-ref", flags.secretRef) };
  const kind = alertProviderKind;
  return objectOf(kind, name, flags.namespace, checkedSpec(kind, spec, ProviderSpec));
}

/** Validates every flag (exit 2) and builds the object, before any call to the cluster. */
export function buildAlert(name: string, flags: AlertFlags): KubeObject {
  objectName("Alert name", name);
  const spec: Record<string, unknown> = {
    providerRef: { name: objectName("--provider-ref", flags.providerRef) },
  };
  if (flags.eventSeverity !== undefined)
    spec["eventSeverity"] = apiField("--event-severity", flags.eventSeverity, EventSeverity);
  if (flags.eventSource.length === 0)
    throw usageError("--event-source is required: the objects whose events to send");
  spec["eventSources"] = flags.eventSource.map((s) => crossNamespaceRef("--event-source", s));
  const kind = alertKind;
  return objectOf(kind, name, flags.namespace, checkedSpec(kind, spec, AlertSpec));
}

/** Prints the object (--export), or applies it: awaited like any kind, or without waiting when statusless. */
async function exportOrApplyNotification(kind: KindInfo, obj: KubeObject, flags: CreateFlags): Promise<void> {
  if (flags.export || !kind.statusless) return exportOrApply(kind, obj, flags);
  say.generate(`generating ${kind.kind}`);
  await withCluster(flags, async (client) => {
    await ensureServed(client, kind);
    say.action(`applying ${kind.kind} ${obj.metadata.namespace ?? ""}/${obj.metadata.name ?? ""}`);
    const { action } = await applyObject(client, obj);
    say.success(`${kind.kind} ${action}`);
  });
}

function registerCreateReceiver(create: Command): void {
  const kind = receiverKind;
  addKubeFlags(
    create
      .command("receiver")
      .description("create or update a Receiver, wait until it is Ready and print its webhook path")
      .argument("<name>", "name of the Receiver")
      .requiredOption(
        "--type <type>",
        "webhook sender: generic, generic-hmac, github, gitlab, gitea, bitbucket, harbor, dockerhub, quay, acr, nexus, distribution, …",
      )
      .option(
        "--event <event>",
        "event type to handle, e.g. push (repeatable; every event when none)",
        collectList,
      )
      .requiredOption(
        "--resource <kind/name>",
        "object to reconcile: KIND/NAME[.NAMESPACE], NAME may be '*' (repeatable)",
        collectList,
      )
      .requiredOption("--secret-ref <name>", "Secret whose 'token' key authenticates the webhook")
      .option("--export", `print the ${kind.kind} as YAML instead of applying it`, false),
  ).action((name: string, flags: ReceiverFlags) =>
    exportOrApplyNotification(kind, buildReceiver(name, flags), flags),
  );
}

function registerCreateProvider(create: Command): void {
  const kind = alertProviderKind;
  addKubeFlags(
    create
      .command("alert-provider")
      .description(
        "create or update a Provider: where Alerts send events (applied; it has no status to wait for)",
      )
      .argument("<name>", "name of the Provider")
      .requiredOption(
        "--type <type>",
        "provider type: slack, generic, generic-hmac, github, msteams, discord, …",
      )
      .option("--address <url>", "where events are sent (a webhook URL, a repository URL, …)")
      .option("--channel <channel>", "destination channel")
      .option("--username <name>", "name events are posted under")
      .option("--secret-ref <name>", "Secret with the provider's credentials (address, token, …)")
      .option("--export", `print the ${kind.kind} as YAML instead of applying it`, false),
  ).action((name: string, flags: ProviderFlags) =>
    exportOrApplyNotification(kind, buildProvider(name, flags), flags),
  );
}

function registerCreateAlert(create: Command): void {
  const kind = alertKind;
  addKubeFlags(
    create
      .command("alert")
      .description(
        "create or update an Alert: which events go to a Provider (applied; it has no status to wait for)",
      )
      .argument("<name>", "name of the Alert")
      .requiredOption("--provider-ref <name>", "Provider the events are sent through")
      .requiredOption(
        "--event-source <kind/name>",
        "object whose events to send: KIND/NAME[.NAMESPACE], NAME may be '*' (repeatable)",
        collectList,
      )
      .option("--event-severity <severity>", "lowest severity sent: info (every event) or error")
      .option("--export", `print the ${kind.kind} as YAML instead of applying it`, false),
  ).action((name: string, flags: AlertFlags) =>
    exportOrApplyNotification(kind, buildAlert(name, flags), flags),
  );
}

export function registerCreateNotificationCommands(program: Command): void {
  const create = createGroup(program);
  registerCreateReceiver(create);
  registerCreateProvider(create);
  registerCreateAlert(create);
}
