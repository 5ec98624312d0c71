/**
 * A job's `services:`, each reachable from the job's container under its alias. `docker:*-dind`
 * is served by Sluice's image builder behind a Docker Engine API endpoint (docker-endpoint.ts) on
 * a loopback address of its own, port 2375, so `DOCKER_HOST: tcp://docker:2375/` works unchanged.
 * Any other service runs as a container of its image (its `entrypoint`/`command`, else the
 * image's) in the sandbox beside the job, stopped when the job's script ends; containers share
 * the worker's network, so its alias names 127.0.0.1 and two jobs' services on one port collide.
 * Nothing waits for a service's port (images here declare none): a job retries as GitLab's docs
 * advise.
 */
import path from "node:path";
import type { ImageBuilder } from "../../builder/image-builder.ts";
import type { TaskConfig } from "../../pipeline/task-config.ts";
import { imageSource } from "../image-reference.ts";
import { DockerEndpoint } from "./docker-endpoint.ts";

export interface ServiceSpec {
  name: string;
  alias: string;
  entrypoint?: string[];
  command?: string[];
  variables: Record<string, string>;
}

export interface RunningServices {
  /** Alias → address, for the job container's /etc/hosts. */
  hosts: Record<string, string>;
  stop(): Promise<void>;
}

export class ServiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ServiceError";
  }
}

export const isDind = (image: string): boolean =>
  /^(docker\.io\/)?(library\/)?docker(:[^@]*)?-dind([-@].*)?$/.test(image) ||
  /^(docker\.io\/)?(library\/)?docker:dind/.test(image);

let nextAddress = Math.floor(Math.random() * 200);

/** A loopback address no other job's endpoint holds: 127.0.<x>.<y>, tried in turn. */
async function listenSomewhere(
  start: (host: string) => Promise<DockerEndpoint>,
): Promise<{ endpoint: DockerEndpoint; host: string }> {
  for (let tries = 0; tries < 50; tries++) {
    nextAddress = (nextAddress + 1) % 60000;
    const host = `127.0.${10 + Math.floor(nextAddress / 250)}.${2 + (nextAddress % 250)}`;
    try {
      return { endpoint: await start(host), host };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    }
  }
  throw new ServiceError("no free loopback address for the Docker endpoint");
}

export interface ServiceOptions {
  builder: ImageBuilder | undefined;
  workDir: string;
  log: (line: string) => void;
  /** Runs a service's container until `signal` stops it. */
  runContainer: (service: ServiceSpec, signal: AbortSignal) => Promise<unknown>;
}

function startContainer(service: ServiceSpec, options: ServiceOptions): () => Promise<void> {
  const stop = new AbortController();
  const ended = options
    .runContainer(service, stop.signal)
    .catch((error: unknown) => options.log(`service ${service.alias}: ${(error as Error).message}`));
  return async () => {
    stop.abort();
    await ended;
  };
}

export async function startServices(
  services: readonly ServiceSpec[],
  options: ServiceOptions,
): Promise<RunningServices> {
  const stops: (() => Promise<void>)[] = [];
  const hosts: Record<string, string> = {};
  const stop = async () => {
    await Promise.all(stops.map((s) => s()));
  };
  try {
    for (const [index, service] of services.entries()) {
      if (!isDind(service.name)) {
        stops.push(startContainer(service, options));
        hosts[service.alias] = "127.0.0.1";
        options.log(`service ${service.name}: running as ${service.alias} (127.0.0.1, the worker's network)`);
        continue;
      }
      if (!options.builder)
        throw new ServiceError(`service ${service.name}: this worker has no image builder`);
      const { builder } = options;
      const { endpoint, host } = await listenSomewhere((address) =>
        DockerEndpoint.start({
          builder,
          host: address,
          workDir: path.join(options.workDir, `docker-${index}`),
          log: options.log,
        }),
      );
      stops.push(() => endpoint.close());
      hosts[service.alias] = host;
      options.log(
        `service ${service.name}: Docker API on ${service.alias}:2375 (${host}), served by Sluice's image builder`,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { hosts, stop };
}

/** A service's container: its entrypoint and command (else the image's), the job's environment and its own variables. */
export function serviceTaskConfig(service: ServiceSpec, env: Readonly<Record<string, string>>): TaskConfig {
  const [path, ...rest] = service.entrypoint?.filter((part) => part !== "") ?? [];
  const run =
    path !== undefined
      ? { path, args: [...rest, ...(service.command ?? [])] }
      : service.command
        ? { args: service.command }
        : undefined;
  return {
    platform: "linux",
    image_resource: { type: "registry-image", ...imageSource(service.name) },
    params: { ...env, ...service.variables },
    ...(run && { run }),
  };
}
