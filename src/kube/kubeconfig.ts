import { readFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { z } from "zod";
import { SluiceError } from "../common/errors.ts";

const NamedCluster = z.object({
  name: z.string(),
  cluster: z.object({
    server: z.string(),
    "certificate-authority": z.string().optional(),
    "certificate-authority-data": z.string().optional(),
    "insecure-skip-tls-verify": z.boolean().optional(),
  }),
});
const NamedUser = z.object({
  name: z.string(),
  user: z
    .object({
      "client-certificate": z.string().optional(),
      "client-certificate-data": z.string().optional(),
      "client-key": z.string().optional(),
      "client-key-data": z.string().optional(),
      token: z.string().optional(),
      tokenFile: z.string().optional(),
    })
    .nullish(),
});
const NamedContext = z.object({
  name: z.string(),
  context: z.object({ cluster: z.string(), user: z.string(), namespace: z.string().optional() }),
});
export const KubeconfigFile = z.object({
  clusters: z.array(NamedCluster).default([]),
  users: z.array(NamedUser).default([]),
  contexts: z.array(NamedContext).default([]),
  "current-context": z.string().optional(),
});
export type KubeconfigFile = z.infer<typeof KubeconfigFile>;

/** Everything needed to open a connection to one API server as one identity. */
export interface ClusterAccess {
  server: string;
  namespace: string;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
}

const inClusterDir = "/var/run/secrets/kubernetes.io/serviceaccount";

async function dataOrFile(base: string, data: string | undefined, file: string | undefined) {
  if (data) return Buffer.from(data, "base64").toString("utf8");
  if (file) return readFile(path.resolve(base, file), "utf8");
  return undefined;
}

/** Resolves the current (or named) context of a kubeconfig file into connection details. */
export async function loadKubeconfig(file: string, contextName?: string): Promise<ClusterAccess> {
  let parsed: KubeconfigFile;
  try {
    parsed = KubeconfigFile.parse(YAML.parse(await readFile(file, "utf8")));
  } catch (err) {
    throw new SluiceError(`cannot read kubeconfig ${file}: ${(err as Error).message}`, { cause: err });
  }
  const name = contextName ?? parsed["current-context"];
  const context = parsed.contexts.find((c) => c.name === name)?.context;
  if (!context) throw new SluiceError(`kubeconfig ${file} has no context named "${name ?? ""}"`);
  const cluster = parsed.clusters.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster) throw new SluiceError(`kubeconfig ${file} has no cluster named "${context.cluster}"`);
  const user = parsed.users.find((u) => u.name === context.user)?.user ?? {};
  const base = path.dirname(file);
  const access: ClusterAccess = { server: cluster.server, namespace: context.namespace ?? "default" };
  const ca = await dataOrFile(base, cluster["certificate-authority-data"], cluster["certificate-authority"]);
  const cert = await dataOrFile(base, user["client-certificate-data"], user["client-certificate"]);
  const key = await dataOrFile(base, user["client-key-data"], user["client-key"]);
  const token =
    user.token ??
    (user.tokenFile ? (await readFile(path.resolve(base, user.tokenFile), "utf8")).trim() : undefined);
  if (ca) access.ca = ca;
  if (cert) access.cert = cert;
  if (key) access.key = key;
  if (token) access.token = token;
  if (cluster["insecure-skip-tls-verify"]) access.insecureSkipTlsVerify = true;
  return access;
}

/** The service account credentials mounted into a Pod. */
export async function loadInCluster(): Promise<ClusterAccess> {
  const host = process.env["KUBERNETES_SERVICE_HOST"];
  const port = process.env["KUBERNETES_SERVICE_PORT"] ?? "443";
  if (!host) throw new SluiceError("not running in a cluster (KUBERNETES_SERVICE_HOST is unset)");
  const [ca, token, namespace] = await Promise.all(
    ["ca.crt", "token", "namespace"].map((f) => readFile(path.join(inClusterDir, f), "utf8")),
  );
  return {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    ca: ca!,
    token: token!.trim(),
    namespace: namespace!.trim(),
  };
}

/** --kubeconfig flag, then $KUBECONFIG, then in-cluster, then ~/.kube/config. */
export async function resolveClusterAccess(flag?: string, context?: string): Promise<ClusterAccess> {
  const file = flag ?? process.env["KUBECONFIG"]?.split(path.delimiter)[0];
  if (file) return loadKubeconfig(file, context);
  if (process.env["KUBERNETES_SERVICE_HOST"]) return loadInCluster();
  return loadKubeconfig(path.join(process.env["HOME"] ?? "/root", ".kube/config"), context);
}

/** A kubeconfig document for a client certificate identity. */
export function renderKubeconfig(opts: {
  server: string;
  ca: string;
  cert: string;
  key: string;
  user: string;
  /** The name the server's certificate is checked against, when the URL's host is another. */
  tlsServerName?: string | undefined;
}): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const cluster = {
    server: opts.server,
    "certificate-authority-data": b64(opts.ca),
    ...(opts.tlsServerName && { "tls-server-name": opts.tlsServerName }),
  };
  return YAML.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "sluice-dev", cluster }],
    users: [
      {
        name: opts.user,
        user: { "client-certificate-data": b64(opts.cert), "client-key-data": b64(opts.key) },
      },
    ],
    contexts: [{ name: "sluice-dev", context: { cluster: "sluice-dev", user: opts.user } }],
    "current-context": "sluice-dev",
  });
}
