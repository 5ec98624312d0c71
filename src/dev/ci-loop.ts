/**
 * The CI half of the demo loop: an app repository with a Dockerfile, a Concourse pipeline that
 * builds it (oci-build-task), pushes the image tagged with the current version (semver resource,
 * its own branch, 1.0.0 first), then bumps the minor version in git with `[ci skip]`; the CD half
 * (DeliveryLoop) takes the tag to the cluster.
 */
import { setTimeout as sleep } from "node:timers/promises";
import YAML from "yaml";
import { CiClient } from "../ci/api/client.ts";
import type { KubeClient } from "../kube/client.ts";
import type { DevEnv } from "./env-file.ts";
import { pushFiles } from "./push-files.ts";
import { addWebhook, environmentToken } from "./webhooks.ts";

const team = "main";
const pipeline = "web";
const job = "build";
const applyOptions = { fieldManager: "sluice-demo", force: true };

export interface Timing {
  step: string;
  ms: number;
}

export class CiLoop {
  readonly #env: DevEnv;
  readonly #namespace: string;
  readonly #image: string;
  readonly #run: string;
  #client: CiClient | undefined;

  /**
   * `image`: the repository the pipeline pushes to and the ImagePolicy watches. Each `run` has an
   * app repository of its own: versions of a git source are shared by every pipeline that watches
   * it (as Concourse's resource config scopes are), so a reused name would hand a new pipeline the
   * commits of an earlier run.
   */
  constructor(env: DevEnv, namespace: string, image: string, run: string) {
    this.#env = env;
    this.#namespace = namespace;
    this.#image = image;
    this.#run = run;
  }

  get appRepository(): string {
    return `${this.#namespace}/app-${this.#run}`;
  }

  /** The app: busybox's httpd serving a page that names its commit message. */
  static appFiles(greeting: string): Record<string, string> {
    return {
      Dockerfile: [
        "FROM busybox:1.36",
        "COPY index.html /www/index.html",
        "EXPOSE 8080",
        'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]',
        "",
      ].join("\n"),
      "index.html": `<h1>${greeting}</h1>\n`,
    };
  }

  /** Forgets an earlier run on a reused environment: its pipeline, builds and versions. */
  async reset(): Promise<void> {
    const client = await this.#login();
    if (await client.getConfig(team, pipeline).catch(() => undefined))
      await client.destroyPipeline(team, pipeline);
  }

  async pushApp(greeting: string, message = `app: ${greeting}`): Promise<{ url: string; sha: string }> {
    return pushFiles(this.#env, this.appRepository, CiLoop.appFiles(greeting), { message });
  }

  pipelineYaml(appUrl: string): string {
    const git = { uri: appUrl, username: "((git.username))", password: "((git.password))" };
    return YAML.stringify({
      resources: [
        {
          name: "app",
          type: "git",
          icon: "github",
          source: { ...git, branch: "main" },
          webhook_token: this.#webhookToken,
        },
        {
          name: "version",
          type: "semver",
          source: {
            driver: "git",
            ...git,
            branch: "version",
            file: "version",
            initial_version: "1.0.0",
            commit_message: "bump to %version% [ci skip]",
          },
        },
        { name: "image", type: "registry-image", source: { repository: this.#image, tag: "latest" } },
      ],
      jobs: [
        {
          name: job,
          plan: [
            {
              in_parallel: [{ get: "app", trigger: true }, { get: "version" }],
            },
            this.#build(),
            {
              put: "image",
              params: { image: "image/image.tar", additional_tags: "version/version" },
              get_params: { skip_download: true },
            },
            { put: "version", params: { bump: "minor" } },
          ],
        },
      ],
    });
  }

  /**
   * The image build; with real nodes, the app's test runs beside it as a Pod on the Kubernetes
   * worker (the dev server has one there), so the push waits for both.
   */
  #build(): Record<string, unknown> {
    const build = {
      task: "build-image",
      privileged: true,
      config: {
        platform: "linux",
        image_resource: {
          type: "registry-image",
          source: { repository: "concourse/oci-build-task" },
        },
        inputs: [{ name: "app" }],
        outputs: [{ name: "image" }],
        params: { CONTEXT: "app" },
        run: { path: "build" },
      },
    };
    if (!this.#env.realNodes?.length) return build;
    const test = {
      task: "test",
      tags: ["kubernetes"],
      config: {
        platform: "linux",
        image_resource: { type: "registry-image", source: { repository: "busybox", tag: "1.36" } },
        inputs: [{ name: "app" }],
        run: { path: "sh", args: ["-ec", 'grep "<h1>web " app/index.html; echo "tested on $(hostname)"'] },
      },
    };
    return { in_parallel: [test, build] };
  }

  /**
   * Sets the pipeline and unpauses it. Its `((git.*))` come from the Secret `git` in
   * `concourse-main`, as Concourse's Kubernetes credential manager reads them: no secret in the config.
   */
  async setPipeline(kube: KubeClient, appUrl: string): Promise<void> {
    const secrets = `concourse-${team}`;
    await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: secrets } }, applyOptions);
    await kube.apply(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "git", namespace: secrets },
        stringData: { username: this.#env.gitUsername, password: this.#env.gitPassword },
      },
      applyOptions,
    );
    const client = await this.#login();
    const current = await client.getConfig(team, pipeline).catch(() => undefined);
    await client.setConfig(team, pipeline, this.pipelineYaml(appUrl), current?.version ?? 0);
    await client.unpausePipeline(team, pipeline);
  }

  get #webhookToken(): string {
    return environmentToken(this.#env.gitPassword, "ci-app-webhook");
  }

  /** Has the git server tell the pipeline of every push, so the app is checked at once (Concourse's resource webhook). */
  async listenToGit(): Promise<void> {
    const resource = `${this.#api().url}/api/v1/teams/${team}/pipelines/${pipeline}/resources/app/check/webhook`;
    const token = this.#webhookToken;
    await addWebhook(this.#env.dir, { url: `${resource}?webhook_token=${token}`, type: "github", token });
  }

  /** Checks the app's repository now (and the version, on a new pipeline). */
  async checkApp(options: { andVersion?: boolean } = {}): Promise<void> {
    const client = await this.#login();
    const resources = options.andVersion ? ["app", "version"] : ["app"];
    await Promise.all(resources.map((resource) => client.checkResource(team, pipeline, resource)));
  }

  /**
   * Follows the job's next build after `after` (a build id, or none): when it started and when it
   * succeeded, in ms since `started`. A build that does not succeed throws with the end of its log.
   */
  async followBuild(after: number | undefined, started: number, timeoutMs = 300_000): Promise<Timing[]> {
    const client = await this.#login();
    const timings: Timing[] = [];
    for (;;) {
      const { builds } = await client.listJobBuilds(team, pipeline, job, { limit: 1 });
      const build = builds[0];
      if (build && build.id !== after) {
        if (timings.length === 0)
          timings.push({ step: `pipeline started build #${build.name}`, ms: Date.now() - started });
        if (build.status === "succeeded") {
          timings.push({ step: "build pushed the image", ms: Date.now() - started });
          return timings;
        }
        if (["failed", "errored", "aborted"].includes(build.status)) {
          throw new Error(
            `build ${pipeline}/${job} #${build.name} ${build.status}:\n${await this.#logTail(build.id)}`,
          );
        }
      }
      if (Date.now() - started > timeoutMs)
        throw new Error(`no build of ${pipeline}/${job} finished within ${timeoutMs / 1000}s`);
      await sleep(100);
    }
  }

  async #logTail(id: number, lines = 20): Promise<string> {
    const log: string[] = [];
    for await (const event of (await this.#login()).buildEvents(id)) {
      const line = event.event === "log" ? (event.data as { line?: string }).line : undefined;
      if (line !== undefined) log.push(line);
    }
    return log
      .slice(-lines)
      .map((line) => `    ${line}`)
      .join("\n");
  }

  async lastBuildId(): Promise<number | undefined> {
    const { builds } = await (await this.#login()).listJobBuilds(team, pipeline, job, { limit: 1 });
    return builds[0]?.id;
  }

  #api(): { url: string; username: string; password: string } {
    const { sluiceUrl, sluiceUsername, sluicePassword } = this.#env;
    if (!sluiceUrl || !sluiceUsername || !sluicePassword) {
      throw new Error(
        "the environment runs no sluice server with the CI API: start it with 'sluice dev up --server'",
      );
    }
    return { url: sluiceUrl, username: sluiceUsername, password: sluicePassword };
  }

  async #login(): Promise<CiClient> {
    const { url, username, password } = this.#api();
    this.#client ??= await CiClient.login(url, username, password);
    return this.#client;
  }
}
