import YAML from "yaml";
import { parseDuration } from "../../api/duration.ts";
import type { Provider } from "../../api/notification/provider/v1beta3.ts";
import type { KubeObject } from "../../kube/objects.ts";
import type { ProviderConfig, ProviderType } from "../../notification/types.ts";

type Secret = KubeObject & { data?: Record<string, string> };
const decode = (s: Secret | undefined, key: string) => {
  const v = s?.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, "base64").toString("utf8").trim();
};

/** A Provider with the values of its Secrets filled in (secretRef: address, token, headers, proxy; certSecretRef: ca.crt). */
export function providerConfig(
  provider: Provider,
  secret: Secret | undefined,
  certSecret: Secret | undefined,
): ProviderConfig {
  const spec = provider.spec;
  const headersText = decode(secret, "headers");
  const headers = headersText ? (YAML.parse(headersText) as Record<string, string>) : undefined;
  const optional = {
    token: decode(secret, "token"),
    headers,
    channel: spec.channel,
    username: spec.username ?? decode(secret, "username"),
    proxy: decode(secret, "proxy") ?? spec.proxy,
    ca: decode(certSecret, "ca.crt"),
    timeoutMs: spec.timeout ? parseDuration(spec.timeout) : undefined,
    providerUid: provider.metadata.uid,
    suspend: spec.suspend,
  };
  return {
    type: spec.type as ProviderType,
    name: provider.metadata.name!,
    namespace: provider.metadata.namespace!,
    address: decode(secret, "address") ?? spec.address ?? "",
    ...(Object.fromEntries(
      Object.entries(optional).filter(([, v]) => v !== undefined),
    ) as Partial<ProviderConfig>),
  };
}
