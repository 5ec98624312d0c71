/**
 * Concourse's Kubernetes credential manager. A var `((name.field))` of team T and pipeline P is
 * the Secret `P.name`, else the Secret `name`, in namespace `<prefix>T` (prefix `concourse-` by
 * default), else, when a shared namespace suffix is configured, the Secret `name` in namespace
 * `<prefix><suffix>`. A Secret with a `value` key is that string; otherwise its keys are the
 * var's fields. Like Concourse's global credential manager, the var source name of a reference
 * is not looked at (named var_sources are routed before this source is asked).
 *
 * A source reads each Secret at most once in its lifetime: create one per build or pass.
 */
import type { KubeClient } from "../../kube/client.ts";
import { KubeApiError, isNotFound } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/objects.ts";
import type { VarRef } from "./reference.ts";
import { traverseFields, VarLookupError, type VarSource } from "./source.ts";

export const defaultNamespacePrefix = "concourse-";

export interface KubernetesVarsOptions {
  team: string;
  /** Absent outside a pipeline (one-off builds): only `<var>` is looked up. */
  pipeline?: string;
  namespacePrefix?: string;
  sharedNamespaceSuffix?: string;
}

type Secret = KubeObject & { data?: Record<string, string> };

interface SecretLocation {
  namespace: string;
  name: string;
}

const describe = (at: SecretLocation) => `Secret ${at.namespace}/${at.name}`;

function secretValue(secret: Secret): unknown {
  const data = secret.data ?? {};
  const decode = (base64: string) => Buffer.from(base64, "base64").toString("utf8");
  if (data["value"] !== undefined) return decode(data["value"]);
  return Object.fromEntries(Object.entries(data).map(([key, base64]) => [key, decode(base64)]));
}

function readFailure(ref: VarRef, at: SecretLocation, err: unknown): VarLookupError {
  if (err instanceof KubeApiError && err.status === 403) {
    return new VarLookupError(
      ref,
      `reading ${describe(at)} is forbidden: the server's identity needs RBAC permission to "get" ` +
        `"secrets" in namespace ${at.namespace} (a Role and RoleBinding there) (${err.message})`,
      { cause: err },
    );
  }
  const problem = err instanceof Error ? err.message : String(err);
  return new VarLookupError(ref, `reading ${describe(at)} failed: ${problem}`, { cause: err });
}

export class KubernetesVarSource implements VarSource {
  readonly #client: KubeClient;
  readonly #options: KubernetesVarsOptions;
  readonly #secrets = new Map<string, Promise<Secret | undefined>>();

  constructor(client: KubeClient, options: KubernetesVarsOptions) {
    this.#client = client;
    this.#options = options;
  }

  /** The Secrets `ref` may live in, in lookup order. */
  #locations(ref: VarRef): SecretLocation[] {
    const { team, pipeline, sharedNamespaceSuffix } = this.#options;
    const prefix = this.#options.namespacePrefix ?? defaultNamespacePrefix;
    const teamNamespace = `${prefix}${team}`;
    return [
      ...(pipeline ? [{ namespace: teamNamespace, name: `${pipeline}.${ref.path}` }] : []),
      { namespace: teamNamespace, name: ref.path },
      ...(sharedNamespaceSuffix ? [{ namespace: `${prefix}${sharedNamespaceSuffix}`, name: ref.path }] : []),
    ];
  }

  lookedIn(ref: VarRef): string[] {
    return this.#locations(ref).map(describe);
  }

  async lookup(ref: VarRef): Promise<unknown> {
    if (ref.path.includes("/")) {
      throw new VarLookupError(ref, `a Kubernetes Secret name cannot contain "/"`);
    }
    for (const at of this.#locations(ref)) {
      const secret = await this.#read(ref, at);
      if (secret) return traverseFields(secretValue(secret), ref, describe(at));
    }
    return undefined;
  }

  #read(ref: VarRef, at: SecretLocation): Promise<Secret | undefined> {
    const key = `${at.namespace}/${at.name}`;
    let reading = this.#secrets.get(key);
    if (!reading) {
      reading = this.#client.get<Secret>("v1", "Secret", at.name, at.namespace).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        this.#secrets.delete(key); // a failed read is tried again by the next lookup
        throw readFailure(ref, at, err);
      });
      this.#secrets.set(key, reading);
    }
    return reading;
  }
}
