/**
 * A resource type a pipeline declares in `resource_types:`: an image whose `/opt/resource/check`,
 * `in` and `out` implement the resource, run in the sandbox with Concourse's contract — `in`
 * writes into `/tmp/build/get`, `out` reads the step's artifacts under `/tmp/build/put/<name>`,
 * both get the BUILD_* variables, every script gets ATC_EXTERNAL_URL.
 */
import { readdir, realpath } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { buildEnv } from "../../build/build-env.ts";
import type { ContainerMount } from "../../sandbox/container/run-container.ts";
import type { RootfsProvider } from "../../sandbox/image.ts";
import type { Sandbox } from "../../sandbox/container/sandbox.ts";
import {
  ResourceError,
  type BuiltinResource,
  type ResourceCall,
  type ResourceConfig,
  type Version,
  type VersionResult,
} from "../resource.ts";
import { runResourceScript, type ResourceScriptRun } from "./resource-script.ts";

/** A declared resource type, its `source` evaluated: which image implements it. */
export interface ResourceTypeImage {
  name: string;
  /** A registry-image source: repository, tag, credentials, … */
  source: ResourceConfig;
  privileged: boolean;
}

export interface ContainerResourceOptions {
  images: RootfsProvider;
  sandbox: Sandbox;
  /** ATC_EXTERNAL_URL, asked at each run: the API's port may be picked only when it starts. */
  externalUrl: () => string;
  /** How long one script may run (default 1 h, Concourse's default check timeout). */
  timeoutMs?: number;
}

/** Makes the driver of a declared resource type. */
export type CustomResourceTypes = (type: ResourceTypeImage) => BuiltinResource;

const VersionAnswer = z.record(z.string(), z.string());
const CheckAnswer = z.array(VersionAnswer);
const VersionResultAnswer = z.object({
  version: VersionAnswer,
  metadata: z
    .array(z.object({ name: z.string(), value: z.string() }))
    .nullish()
    .transform((m) => m ?? []),
});

function parseAnswer<S extends z.ZodType>(schema: S, answer: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(answer);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const at = issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
  throw new ResourceError("Failed", `${what} answered ${JSON.stringify(answer)}: ${issue.message}${at}`);
}

/** One mount per artifact the put was given (the inputs directory holds a symlink to each). */
async function putMounts(inputsDir: string, target: string): Promise<ContainerMount[]> {
  const names = await readdir(inputsDir);
  return Promise.all(
    names.map(async (name) => ({
      source: await realpath(path.join(inputsDir, name)),
      target: `${target}/${name}`,
    })),
  );
}

export function containerResourceTypes(options: ContainerResourceOptions): CustomResourceTypes {
  return (type) => containerResource(type, options);
}

function containerResource(type: ResourceTypeImage, options: ContainerResourceOptions): BuiltinResource {
  const run = async (
    script: ResourceScriptRun["script"],
    request: unknown,
    call: ResourceCall | undefined,
    dir?: ResourceScriptRun["dir"],
  ): Promise<unknown> => {
    const signal = call?.signal ?? new AbortController().signal;
    const lease = await options.images
      .acquire({ source: { ...type.source } }, { signal, ...(call?.log && { log: call.log }) })
      .catch((error: unknown) => {
        throw new ResourceError("Failed", `resource type ${type.name}: ${(error as Error).message}`, {
          cause: error,
        });
      });
    try {
      const externalUrl = options.externalUrl();
      const env = call?.build ? buildEnv(call.build, externalUrl) : { ATC_EXTERNAL_URL: externalUrl };
      return await runResourceScript({
        typeName: type.name,
        lease,
        script,
        dir,
        request,
        env,
        privileged: type.privileged,
        sandbox: options.sandbox,
        build: call?.build,
        signal,
        timeoutMs: options.timeoutMs ?? 60 * 60 * 1000,
        log: call?.log,
      });
    } finally {
      lease.release();
    }
  };
  const what = (script: string) => `resource type ${type.name}: /opt/resource/${script}`;
  return {
    type: type.name,
    async check(source, fromVersion, call): Promise<Version[]> {
      const answer = await run("check", { source, version: fromVersion ?? null }, call);
      return parseAnswer(CheckAnswer, answer, what("check"));
    },
    async get(source, version, params, destDir, call): Promise<VersionResult> {
      const dir = { path: "/tmp/build/get", mounts: [{ source: destDir, target: "/tmp/build/get" }] };
      const answer = await run("in", { source, version, params }, call, dir);
      return parseAnswer(VersionResultAnswer, answer, what("in"));
    },
    async put(source, params, inputsDir, call): Promise<VersionResult> {
      const dir = { path: "/tmp/build/put", mounts: await putMounts(inputsDir, "/tmp/build/put") };
      const answer = await run("out", { source, params }, call, dir);
      return parseAnswer(VersionResultAnswer, answer, what("out"));
    },
  };
}
