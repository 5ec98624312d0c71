/**
 * What the real nodes' name server answers: `<service>.<namespace>.svc.<domain>` is the Service's
 * ClusterIP (a headless Service's ready endpoints), other names inside the cluster's domain do not
 * exist, and names outside it are looked up as this machine looks them up.
 */
import { resolve4 } from "node:dns/promises";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject } from "../../kube/objects.ts";
import type { Rcode } from "./dns-message.ts";

export interface ServiceEntry {
  name: string;
  namespace: string;
  /** `None` for a headless Service. */
  clusterIP?: string | undefined;
  /** A headless Service's ready endpoint addresses. */
  endpoints: string[];
}

export interface Resolution {
  rcode: Rcode;
  addresses: string[];
}

/** Answers `name` from `services`; undefined when the name is outside `domain`. */
export function resolveClusterName(
  name: string,
  domain: string,
  services: readonly ServiceEntry[],
): Resolution | undefined {
  if (name !== domain && !name.endsWith(`.${domain}`)) return undefined;
  const labels = name.slice(0, -domain.length - 1).split(".");
  if (labels.length !== 3 || labels[2] !== "svc") return { rcode: "NXDOMAIN", addresses: [] };
  const found = services.find((s) => s.name === labels[0] && s.namespace === labels[1]);
  if (!found) return { rcode: "NXDOMAIN", addresses: [] };
  const headless = !found.clusterIP || found.clusterIP === "None";
  return { rcode: "NOERROR", addresses: headless ? found.endpoints : [found.clusterIP!] };
}

type Service = KubeObject & { spec?: { clusterIP?: string } };
type EndpointSlice = KubeObject & {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[];
};

/** The cluster's Services, listed again when older than `maxAgeMs`. */
export class ServiceCache {
  readonly #client: KubeClient;
  readonly #maxAgeMs: number;
  #listed: Promise<ServiceEntry[]> | undefined;
  #at = 0;

  constructor(client: KubeClient, maxAgeMs = 1000) {
    this.#client = client;
    this.#maxAgeMs = maxAgeMs;
  }

  services(): Promise<ServiceEntry[]> {
    if (!this.#listed || Date.now() - this.#at > this.#maxAgeMs) {
      this.#at = Date.now();
      this.#listed = this.#list();
      this.#listed.catch(() => (this.#listed = undefined));
    }
    return this.#listed;
  }

  async #list(): Promise<ServiceEntry[]> {
    const [services, slices] = await Promise.all([
      this.#client.list<Service>("v1", "Service"),
      this.#client.list<EndpointSlice>("discovery.k8s.io/v1", "EndpointSlice"),
    ]);
    const ready = new Map<string, string[]>();
    for (const slice of slices.items) {
      const key = `${slice.metadata.namespace}/${slice.metadata.labels?.["kubernetes.io/service-name"] ?? ""}`;
      const addresses = (slice.endpoints ?? [])
        .filter((e) => e.conditions?.ready !== false)
        .flatMap((e) => e.addresses);
      ready.set(key, [...(ready.get(key) ?? []), ...addresses]);
    }
    return services.items.map((s) => ({
      name: s.metadata.name ?? "",
      namespace: s.metadata.namespace ?? "default",
      clusterIP: s.spec?.clusterIP,
      endpoints: ready.get(`${s.metadata.namespace}/${s.metadata.name}`) ?? [],
    }));
  }
}

/** A name outside the cluster, as this machine resolves it; not found (or no resolver) is NXDOMAIN. */
export async function resolveOutside(name: string): Promise<Resolution> {
  try {
    return { rcode: "NOERROR", addresses: await resolve4(name) };
  } catch {
    return { rcode: "NXDOMAIN", addresses: [] };
  }
}
