import { Option, type Command } from "commander";
import { defaultDevDir, type DevEnv } from "../../dev/env-file.ts";
import { devDown, devStatus, devUp } from "../../dev/environment.ts";
import { addWebhook } from "../../dev/webhooks.ts";
import type { MirrorPushReport } from "../../dev/base-images/index.ts";
import { ExitCode, SluiceError } from "../../common/errors.ts";
import { redact } from "../../git/exec.ts";

function describe(env: DevEnv): string {
  return [
    `  kubeconfig  ${env.kubeconfig}`,
    `  api server  ${env.apiServer}  (${env.nodes} kwok nodes${env.realNodes?.length ? `, real nodes ${env.realNodes.join(", ")}` : ""})`,
    `  registry    ${env.registry}${env.registryUsername ? `  (user ${env.registryUsername})` : ""}`,
    `  git         ${env.gitUrl}/<name>.git  (user ${env.gitUsername}, password in ${env.dir}/git-password)`,
    ...(env.postgresUrl
      ? [
          `  postgres    ${redact(env.postgresUrl)}  (password in ${env.dir}/postgres-password; --postgres-url for replicas)`,
        ]
      : []),
    ...(env.imageMirror
      ? [`  images      ${env.imageMirror}  (--registry-mirror docker.io=${env.imageMirror}/docker.io)`]
      : []),
    `  env file    ${env.dir}/env.json`,
    "",
    `  try: ${env.kubectl} --kubeconfig ${env.kubeconfig} get nodes`,
  ].join("\n");
}

/** One line per mirrored repository: `  127.0.0.1:5000/mirror/docker.io/library/golang: latest 1 1.19` */
function describeMirrors(env: DevEnv, pushed: MirrorPushReport): string {
  const tagsByRepository = new Map<string, string[]>();
  for (const reference of pushed.references) {
    const at = reference.lastIndexOf(":");
    const repository = reference.slice(0, at);
    tagsByRepository.set(repository, [...(tagsByRepository.get(repository) ?? []), reference.slice(at + 1)]);
  }
  const lines = [...tagsByRepository].map(
    ([repository, tags]) => `  ${env.registry}/${repository}: ${tags.join(" ")}`,
  );
  const counts = `${pushed.manifestsPushed} tags and ${pushed.blobsUploaded} blobs pushed now`;
  return `\nbase images (${counts}):\n${lines.join("\n")}\n`;
}

const count = (flag: string, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new SluiceError(`${flag} must be an integer from 0 to ${max}, got "${value}"`, {
      exitCode: ExitCode.usage,
    });
  return n;
};

const dirOption = () => new Option("--dir <dir>", "environment directory").default(defaultDevDir);

export function registerDevCommands(program: Command): void {
  const dev = program
    .command("dev")
    .description("the local real environment: Kubernetes with kwok nodes, OCI registry, git server");
  registerLifecycle(dev);
  registerWebhook(dev);
  dev
    .command("build-images")
    .description("build the offline base images from Debian packages into the cache (each once per recipe)")
    .action(async () => {
      const { ensureBaseImages, describeBaseImage } = await import("../../dev/base-images/index.ts");
      process.stderr.write(
        "· base images: building those the cache lacks, one at a time (minutes when cold)\n",
      );
      await ensureBaseImages({ progress: (image) => process.stdout.write(`${describeBaseImage(image)}\n`) });
    });
  dev
    .command("push-sluice-image")
    .description(
      "build Sluice's own image from this checkout and push it to the environment's registry (needs dev up --images)",
    )
    .option("--dir <dir>", "environment directory", defaultDevDir)
    .action(async (flags: { dir: string }) => {
      const [{ readDevEnv }, { pushSluiceImage }] = await Promise.all([
        import("../../dev/env-file.ts"),
        import("../../dev/sluice-image.ts"),
      ]);
      const env = await readDevEnv(flags.dir);
      if (!env)
        throw new SluiceError(`no environment in ${flags.dir}`, { hint: "run 'sluice dev up --images'" });
      if (!env.imageMirror) {
        throw new SluiceError("the environment has no base images", { hint: "run 'sluice dev up --images'" });
      }
      const { digest, refs } = await pushSluiceImage(
        { ...env, imageMirror: env.imageMirror },
        { log: (line) => process.stderr.write(`${line}\n`) },
      );
      process.stdout.write(`${refs.map((ref) => `${ref}@${digest}`).join("\n")}\n`);
    });
  dev
    .command("git-server", { hidden: true })
    .description("run the git smart-HTTP server (started by 'dev up')")
    .argument("[args...]", "server flags: --root --host --port --username --password-file")
    .allowUnknownOption()
    .helpOption(false)
    .action(async (args: string[]) => {
      const { runGitServerMain } = await import("../../dev/git-server.ts");
      await runGitServerMain(args);
    });
  dev
    .command("node-services", { hidden: true })
    .description("run the real nodes' name server and API relay (started by 'dev up --real-nodes')")
    .requiredOption("--listen <ip>", "the address the nodes' Pods reach this machine at")
    .requiredOption(
      "--relay-port <port>",
      "a loopback port (the API server's, the git server's, the registry's) relayed on --listen (repeatable)",
      (value: string, all: number[] = []) => [...all, Number(value)],
    )
    .requiredOption("--kubeconfig <file>", "where the Services are read")
    .option("--domain <domain>", "the cluster's DNS domain", "cluster.local")
    .action(async (options: { listen: string; relayPort: number[]; kubeconfig: string; domain: string }) => {
      const { runNodeServicesMain } = await import("../../dev/real-nodes/node-services.ts");
      await runNodeServicesMain(options);
    });
}

/** up, status and down */
function registerLifecycle(dev: Command): void {
  dev
    .command("up")
    .description("start every component (idempotent: reports a running environment)")
    .addOption(dirOption())
    .option("--nodes <n>", "number of fake kwok nodes", count("--nodes", 1000), 3)
    .option(
      "--real-nodes <n>",
      "number of real nodes (containerd + kubelet, tainted sluice.dev/real-node); pushes the base images too",
      count("--real-nodes", 8),
      0,
    )
    .option("--registry-auth", "protect the registry with htpasswd basic auth", false)
    .option("--server", "also install the CRDs and run sluice server against the cluster", false)
    .option(
      "--images",
      "also push the offline base images under mirror names (built once when missing)",
      false,
    )
    .action(
      async (opts: {
        dir: string;
        nodes: number;
        realNodes: number;
        registryAuth: boolean;
        server: boolean;
        images: boolean;
      }) => {
        const started = Date.now();
        const { env, alreadyRunning, images } = await devUp({
          dir: opts.dir,
          nodes: opts.nodes,
          realNodes: opts.realNodes,
          registryAuth: opts.registryAuth,
          server: opts.server,
          images: opts.images,
          progress: (m) => process.stderr.write(`· ${m}\n`),
        });
        const headline = alreadyRunning
          ? "already running"
          : `up in ${((Date.now() - started) / 1000).toFixed(1)}s`;
        process.stdout.write(`sluice dev environment ${headline}\n${describe(env)}\n`);
        if (images) process.stdout.write(describeMirrors(env, images));
      },
    );

  dev
    .command("status")
    .description("show each component's state")
    .addOption(dirOption())
    .action(async (opts: { dir: string }) => {
      const { env, components } = await devStatus(opts.dir);
      if (components.length === 0) {
        process.stdout.write(`no environment in ${opts.dir} (start one with 'sluice dev up')\n`);
        return;
      }
      for (const c of components) {
        process.stdout.write(
          `${c.name.padEnd(24)} ${(c.running ? "running" : "EXITED").padEnd(8)} pid ${String(c.pid).padEnd(8)} ${c.running ? "" : `log: ${c.log}`}\n`,
        );
      }
      if (env) process.stdout.write(`\n${describe(env)}\n`);
      if (components.some((c) => !c.running)) process.exitCode = ExitCode.failure;
    });

  dev
    .command("down")
    .description("stop every process the environment started (a no-op when nothing runs)")
    .addOption(dirOption())
    .option("--purge", "also delete the environment directory (etcd data, repositories, images)", false)
    .action(async (opts: { dir: string; purge: boolean }) => {
      const stopped = await devDown(opts.dir, { purge: opts.purge });
      process.stdout.write(
        stopped.length ? `stopped ${stopped.map((p) => p.name).join(", ")}\n` : "nothing was running\n",
      );
    });
}

function registerWebhook(dev: Command): void {
  dev
    .command("webhook")
    .description(
      "register a webhook the environment sends: GitHub-style push events, or the registry's notifications",
    )
    .addOption(dirOption())
    .requiredOption("--url <url>", "where to send (e.g. a Receiver's URL)")
    .addOption(
      new Option("--type <type>", "github: git pushes; distribution: registry notifications")
        .choices(["github", "distribution"])
        .makeOptionMandatory(),
    )
    .requiredOption("--token <token>", "HMAC secret (github) or bearer token (distribution)")
    .action(async (opts: { dir: string; url: string; type: "github" | "distribution"; token: string }) => {
      await addWebhook(opts.dir, { url: opts.url, type: opts.type, token: opts.token });
      process.stdout.write(`registered ${opts.type} webhook ${opts.url}\n`);
    });
}
