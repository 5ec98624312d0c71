import { readFile, writeFile, rename } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

/** What `sluice dev up` writes to DIR/env.json: how to reach each component. */
export const DevEnv = z.object({
  dir: z.string(),
  kubeconfig: z.string(),
  apiServer: z.string(),
  registry: z.string().describe("host:port of the Distribution registry (plain HTTP)"),
  registryUsername: z.string().optional(),
  registryPassword: z.string().optional(),
  gitUrl: z.string().describe("base URL of the git smart-HTTP server, repositories at <gitUrl>/<name>.git"),
  gitUsername: z.string(),
  gitPassword: z.string(),
  gitRoot: z.string(),
  sshUrl: z.string().describe("ssh://user@host:port; repositories at <sshUrl><gitRoot>/<name>.git"),
  sshIdentityFile: z.string(),
  sshKnownHosts: z.string(),
  kustomize: z.string(),
  helm: z.string(),
  kubectl: z.string(),
  nodes: z.number().int(),
  realNodes: z
    .array(z.string())
    .optional()
    .describe("names of the real nodes (containerd + kubelet), tainted sluice.dev/real-node=true:NoSchedule"),
  podReachableHost: z
    .string()
    .optional()
    .describe(
      "with real nodes: this machine's address as their Pods reach it; the API server, the git server and the registry are relayed there on their ports",
    ),
  postgresUrl: z
    .string()
    .optional()
    .describe("postgres://… of the environment's PostgreSQL (database `postgres`; tests create their own)"),
  imageMirror: z
    .string()
    .optional()
    .describe(
      "REGISTRY/mirror when the base images were pushed (dev up --images): docker.io's mirror is <imageMirror>/docker.io",
    ),
  serverUrl: z
    .string()
    .optional()
    .describe("health/metrics URL of `sluice server` when started with --server"),
  receiverUrl: z
    .string()
    .optional()
    .describe("webhook receivers of `sluice server` when started with --server"),
  sluiceUrl: z.string().optional().describe("the CI API of `sluice server` when started with --server"),
  sluiceUsername: z.string().optional(),
  sluicePassword: z.string().optional(),
});
export type DevEnv = z.infer<typeof DevEnv>;

export const defaultDevDir = ".sluice/dev";

export function envFilePath(dir: string): string {
  return path.join(dir, "env.json");
}

export async function readDevEnv(dir: string): Promise<DevEnv | undefined> {
  let text: string;
  try {
    text = await readFile(envFilePath(dir), "utf8");
  } catch {
    return undefined;
  }
  return DevEnv.parse(JSON.parse(text));
}

export async function writeDevEnv(env: DevEnv): Promise<void> {
  const file = envFilePath(env.dir);
  await writeFile(`${file}.tmp`, JSON.stringify(env, null, 2) + "\n", { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}
