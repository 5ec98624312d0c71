import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import type { KubeObject } from "../kube/objects.ts";
import type { VariableLookup } from "./substitute.ts";

type Data = KubeObject & { data?: Record<string, string> };

/** Reads postBuild.substituteFrom ConfigMaps and Secrets (Secrets decoded) with the reconciling identity. */
export function variableLookup(client: KubeClient, namespace: string): VariableLookup {
  return async (kind, name) => {
    let obj: Data;
    try {
      obj = await client.get<Data>("v1", kind, name, namespace);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const data = obj.data ?? {};
    if (kind !== "Secret") return data;
    return Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
    );
  };
}
