/** The cluster flags every cluster command shares, and the one place their connection errors are explained. */
import { Option, type Command } from "commander";
import { KubeClient } from "../../kube/client.ts";
import { KubeApiError } from "../../kube/errors.ts";
import { resolveClusterAccess, type ClusterAccess } from "../../kube/kubeconfig.ts";
import { SluiceError } from "../../common/errors.ts";
import { durationMs, namespaceName } from "./flags.ts";

/** Flux's default namespace: Sluice is a drop-in replacement, so objects land where Flux users expect them. */
export const defaultNamespace = "flux-system";
export const defaultTimeoutMs = 5 * 60_000;

export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
  namespace: string;
  /** how long the command waits for the cluster (milliseconds) */
  timeout: number;
}

export interface ListFlags extends KubeFlags {
  allNamespaces: boolean;
}

/** Adds --kubeconfig, --context, -n/--namespace and --timeout (and -A with `allNamespaces`). */
export function addKubeFlags(cmd: Command, options: { allNamespaces?: boolean } = {}): Command {
  cmd
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use")
    .addOption(
      new Option("-n, --namespace <ns>", "namespace of the object")
        .default(defaultNamespace)
        .argParser(namespaceName),
    )
    .addOption(
      new Option("--timeout <duration>", "how long to wait for the cluster")
        .default(defaultTimeoutMs, "5m")
        .argParser((v: string) => durationMs("--timeout", v)),
    );
  if (options.allNamespaces) cmd.option("-A, --all-namespaces", "list objects in every namespace", false);
  return cmd;
}

const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

function isConnectionError(err: unknown): err is Error & { code: string } {
  if (!(err instanceof Error) || err instanceof KubeApiError) return false;
  const code = (err as { code?: unknown }).code;
  return (
    typeof code === "string" &&
    (networkCodes.has(code) || code.startsWith("UND_ERR_") || /CERT|TLS|SSL|SIGNATURE/.test(code))
  );
}

function kubeconfigSource(flags: KubeFlags): string {
  if (flags.kubeconfig) return `--kubeconfig ${flags.kubeconfig}`;
  if (process.env["KUBECONFIG"]) return `$KUBECONFIG ${process.env["KUBECONFIG"]}`;
  return "~/.kube/config";
}

/** Turns what the API or the network said into a message a person can act on. */
export function explainClusterError(err: unknown, access: ClusterAccess, flags: KubeFlags): unknown {
  if (err instanceof SluiceError) return err;
  const checkConfig = `check --kubeconfig (using ${kubeconfigSource(flags)}) and --context`;
  if (isConnectionError(err)) {
    return new SluiceError(`cannot reach the Kubernetes API server at ${access.server}: ${err.message}`, {
      hint: `${checkConfig}, and that the cluster is running`,
      cause: err,
    });
  }
  if (err instanceof KubeApiError) {
    if (err.status === 401) {
      return new SluiceError(`the API server at ${access.server} rejected the credentials: ${err.message}`, {
        hint: `${checkConfig}; the credentials may have expired`,
        cause: err,
      });
    }
    if (err.status === 403) {
      return new SluiceError(err.message, {
        hint: "your identity lacks the RBAC permission for this",
        cause: err,
      });
    }
    return new SluiceError(err.message, { cause: err });
  }
  return err;
}

async function access(flags: KubeFlags): Promise<ClusterAccess> {
  try {
    return await resolveClusterAccess(flags.kubeconfig, flags.context);
  } catch (err) {
    if (err instanceof SluiceError && !err.hint) {
      throw new SluiceError(err.message, {
        hint: "pass --kubeconfig FILE (and --context NAME) or set $KUBECONFIG",
        cause: err,
      });
    }
    throw err;
  }
}

/** Runs `fn` with a client for the cluster the flags name; closes it and explains failures. */
export async function withCluster<T>(flags: KubeFlags, fn: (client: KubeClient) => Promise<T>): Promise<T> {
  const target = await access(flags);
  const client = new KubeClient(target);
  try {
    return await fn(client);
  } catch (err) {
    throw explainClusterError(err, target, flags);
  } finally {
    await client.close();
  }
}
