/** A project's builds as `sluice ci builds --json -p` lists them, and waiting for them to end. */
import assert from "node:assert/strict";
import type { KubeClient } from "../../src/kube/client.ts";
import { show, sluice } from "./cli.ts";
import { waitFor } from "./wait.ts";

export interface Build {
  id: number;
  name: string;
  status: string;
  job_name: string;
  pipeline_name: string;
}

export const builds = async (name: string): Promise<Build[]> => {
  const listed = await sluice("ci -t dev builds --json -p", name);
  assert.equal(listed.code, 0, show(listed));
  return JSON.parse(listed.stdout) as Build[];
};

export const ended = (b: Build) => !["pending", "started"].includes(b.status);

/** The project's builds once there are at least `count` and all have ended. */
export const waitForBuilds = (name: string, what: string, count: number) =>
  waitFor(
    what,
    async () => {
      const all = await builds(name);
      return all.length >= count && all.every(ended) ? all : undefined;
    },
    { timeoutMs: 120_000, describe: () => describeBuilds(name) },
  );

/** The builds, and the log of each that did not succeed: why a wait timed out. */
async function describeBuilds(name: string): Promise<string> {
  const all = await builds(name);
  const logs = await Promise.all(
    all
      .filter((b) => ended(b) && b.status !== "succeeded")
      .map(async (b) => {
        const log = await sluice("ci -t dev watch -j", `${name}/${b.job_name}`, "-b", b.name);
        return `${b.job_name} #${b.name}: ${log.stdout}${log.stderr}`;
      }),
  );
  return [JSON.stringify(all), ...logs].join("\n");
}

export const statusOf = (all: Build[], job: string) =>
  all.filter((b) => b.job_name === job).map((b) => `${b.name}:${b.status}`);

/** A Secret of team main's credential-manager namespace (made when missing). */
export async function teamSecret(
  client: KubeClient,
  name: string,
  data: Record<string, string>,
): Promise<void> {
  await client.apply(
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "concourse-main" } },
    { fieldManager: "test" },
  );
  await client.apply(
    { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: "concourse-main" }, stringData: data },
    { fieldManager: "test" },
  );
}
