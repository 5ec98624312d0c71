import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import YAML from "yaml";
import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import { execInPod } from "../kube/exec.ts";
import { computeHealth } from "../kube/health.ts";
import type { KubeObject } from "../kube/objects.ts";
import { generateImage, pushImage } from "../oci/image.ts";
import { RegistryClient } from "../oci/registry-client.ts";
import type { DevEnv } from "./env-file.ts";
import { pushFiles } from "./push-files.ts";
import { addWebhook, environmentToken } from "./webhooks.ts";
import { fluxApiVersions, requestedAtAnnotation } from "../api/kinds.ts";
import { realNodeTaint } from "./real-nodes/index.ts";

/** Where the app's Pods go on an environment with real nodes: there, tolerating their taint. */
const realNodePlacement = {
  nodeSelector: { "sluice.dev/real-node": "true" },
  tolerations: [{ key: realNodeTaint.key, operator: "Exists", effect: realNodeTaint.effect }],
};

/**
 * The whole loop on the local environment, shared by `sluice demo` and the end-to-end benchmark:
 * an image is pushed, a policy selects it, the automation commits it, the source fetches the
 * commit and the Kustomization rolls it out.
 */
export class DeliveryLoop {
  readonly env: DevEnv;
  readonly client: KubeClient;
  readonly namespace: string;
  readonly repository: string;
  /**
   * The configuration repository. A demo run on a reused environment names its own (`run`): the
   * automation would otherwise see the manifests reset to 1.0.0 as a person's rollback and hold.
   */
  readonly configRepository: string;

  /** The app runs on the environment's real nodes, when it has some: then it really answers. */
  readonly onRealNodes: boolean;

  constructor(env: DevEnv, client: KubeClient, namespace: string, options: { run?: string } = {}) {
    this.env = env;
    this.client = client;
    this.namespace = namespace;
    this.onRealNodes = (env.realNodes?.length ?? 0) > 0;
    this.repository = `${namespace}/web`;
    this.configRepository = `${namespace}/config${options.run ? `-${options.run}` : ""}`;
  }

  get image(): string {
    return `${this.env.registry}/${this.repository}`;
  }

  /**
   * Forgets an earlier run on a reused environment, so it starts from 1.0.0 again: the namespace
   * (its sources, policies, automation and workloads, once their finalizers ran) and the image's tags.
   */
  async reset(timeoutMs = 120_000): Promise<void> {
    const gone = async () =>
      this.client.get("v1", "Namespace", this.namespace).then(
        () => false,
        (error: unknown) => isNotFound(error),
      );
    if (!(await gone())) {
      await this.client.delete("v1", "Namespace", this.namespace).catch(() => {});
      const deadline = Date.now() + timeoutMs;
      while (!(await gone())) {
        if (Date.now() > deadline)
          throw new Error(`namespace ${this.namespace} of an earlier run is still terminating`);
        await sleep(200);
      }
    }
    await this.#deleteImages();
  }

  async #deleteImages(): Promise<void> {
    const registry = new RegistryClient({ host: this.env.registry, insecure: true });
    try {
      const tags = await registry.listTags(this.repository).catch(() => []);
      const digests = new Set<string>();
      for (const tag of tags) digests.add((await registry.headManifest(this.repository, tag)).digest);
      for (const digest of digests) await registry.deleteManifest(this.repository, digest);
    } finally {
      await registry.close();
    }
  }

  async pushImage(tag: string): Promise<void> {
    const registry = new RegistryClient({ host: this.env.registry, insecure: true });
    try {
      await pushImage(
        registry,
        this.repository,
        [tag],
        generateImage({ files: { "index.html": `<h1>web ${tag}</h1>\n` } }),
      );
    } finally {
      await registry.close();
    }
  }

  manifests(tag: string): string {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            containers: [{ name: "web", image: `${this.image}:${tag}`, ports: [{ containerPort: 8080 }] }],
            ...(this.onRealNodes ? realNodePlacement : {}),
          },
        },
      },
    };
    const service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] },
    };
    const marker = `# {"$imagepolicy": "${this.namespace}:web"}`;
    return [
      YAML.stringify(deployment).replace(`${this.image}:${tag}`, `${this.image}:${tag} ${marker}`),
      YAML.stringify(service),
    ].join("---\n");
  }

  /** Commits the app's manifests (only them) to the configuration repository. */
  async commitManifests(tag: string): Promise<{ url: string; sha: string }> {
    return pushFiles(
      this.env,
      this.configRepository,
      { "apps/web/app.yaml": this.manifests(tag) },
      { message: `deploy web ${tag}`, replace: true },
    );
  }

  /** Namespace, git credentials, GitRepository, Kustomization, ImageRepository, ImagePolicy, ImageUpdateAutomation. */
  async declare(url: string): Promise<void> {
    const ns = this.namespace;
    const meta = (name: string) => ({ name, namespace: ns });
    const objects: KubeObject[] = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: meta("git-auth"),
        stringData: { username: this.env.gitUsername, password: this.env.gitPassword },
      },
      {
        apiVersion: fluxApiVersions.GitRepository,
        kind: "GitRepository",
        metadata: meta("config"),
        spec: { url, interval: "1m", ref: { branch: "main" }, secretRef: { name: "git-auth" } },
      },
      {
        apiVersion: fluxApiVersions.Kustomization,
        kind: "Kustomization",
        metadata: meta("web"),
        spec: {
          interval: "5m",
          sourceRef: { kind: "GitRepository", name: "config" },
          path: "./apps/web",
          prune: true,
          wait: true,
          timeout: "2m",
          targetNamespace: ns,
        },
      },
      {
        apiVersion: fluxApiVersions.ImageRepository,
        kind: "ImageRepository",
        metadata: meta("web"),
        spec: { image: this.image, interval: "1m", insecure: true },
      },
      {
        apiVersion: fluxApiVersions.ImagePolicy,
        kind: "ImagePolicy",
        metadata: meta("web"),
        spec: { imageRepositoryRef: { name: "web" }, policy: { semver: { range: "^1.0" } } },
      },
      {
        apiVersion: fluxApiVersions.ImageUpdateAutomation,
        kind: "ImageUpdateAutomation",
        metadata: meta("web"),
        spec: {
          interval: "1m",
          sourceRef: { kind: "GitRepository", name: "config" },
          git: {
            checkout: { ref: { branch: "main" } },
            commit: { author: { name: "sluice-bot", email: "bot@sluice.invalid" } },
            push: { branch: "main" },
          },
          update: { path: "./apps/web", strategy: "Setters" },
        },
      },
    ];
    for (const obj of objects) await this.client.apply(obj, { fieldManager: "sluice-demo", force: true });
  }

  /** Asks the ImageRepository to scan now, as a registry webhook would. */
  async requestScan(): Promise<void> {
    await this.client.patch(
      {
        apiVersion: fluxApiVersions.ImageRepository,
        kind: "ImageRepository",
        name: "web",
        namespace: this.namespace,
      },
      { metadata: { annotations: { [requestedAtAnnotation]: new Date().toISOString() } } },
    );
  }

  /**
   * Has the registry's notifications reach a Receiver that scans the image repository, so a pushed
   * tag is seen at once rather than at the next interval.
   */
  async listenToRegistry(timeoutMs = 30_000): Promise<void> {
    const { receiverUrl, gitPassword, dir } = this.env;
    if (!receiverUrl)
      throw new Error("the environment runs no sluice server: start it with 'sluice dev up --server'");
    const token = environmentToken(gitPassword, "registry-webhook");
    const meta = { name: "registry", namespace: this.namespace };
    const apply = (obj: KubeObject) => this.client.apply(obj, { fieldManager: "sluice-demo", force: true });
    await apply({ apiVersion: "v1", kind: "Secret", metadata: meta, stringData: { token } });
    await apply({
      apiVersion: fluxApiVersions.Receiver,
      kind: "Receiver",
      metadata: meta,
      spec: {
        type: "distribution",
        resources: [{ apiVersion: fluxApiVersions.ImageRepository, kind: "ImageRepository", name: "web" }],
        secretRef: { name: "registry" },
      },
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const receiver = await this.client.get<KubeObject & { status?: { webhookPath?: string } }>(
        fluxApiVersions.Receiver,
        "Receiver",
        meta.name,
        meta.namespace,
      );
      const webhookPath = receiver.status?.webhookPath;
      if (webhookPath) {
        await addWebhook(dir, { url: `${receiverUrl}${webhookPath}`, type: "distribution", token });
        return;
      }
      if (Date.now() > deadline) throw new Error("the registry Receiver got no webhook path");
      await sleep(100);
    }
  }

  /** Waits for each step after a new tag was pushed and scanned; returns the time of each. */
  async followTag(
    tag: string,
    previousCommit: string | undefined,
    started: number,
    timeoutMs = 120_000,
  ): Promise<{ step: string; ms: number }[]> {
    const ns = this.namespace;
    const get = <T extends KubeObject>(apiVersion: string, kind: string, name: string) =>
      this.client.get<T>(apiVersion, kind, name, ns);
    type S = KubeObject & {
      status?: Record<string, unknown> & {
        latestRef?: { tag: string };
        lastPushCommit?: string;
        artifact?: { revision: string };
        lastAppliedRevision?: string;
        lastScanResult?: { latestTags?: string[] };
      };
    };
    const steps: [string, () => Promise<boolean>][] = [];
    let commit = "";
    steps.push([
      "registry scanned",
      async () =>
        (
          (await get<S>(fluxApiVersions.ImageRepository, "ImageRepository", "web")).status?.lastScanResult
            ?.latestTags ?? []
        ).includes(tag),
    ]);
    steps.push([
      `policy selected ${tag}`,
      async () =>
        (await get<S>(fluxApiVersions.ImagePolicy, "ImagePolicy", "web")).status?.latestRef?.tag === tag,
    ]);
    steps.push([
      "automation pushed a commit",
      async () => {
        const status = (await get<S>(fluxApiVersions.ImageUpdateAutomation, "ImageUpdateAutomation", "web"))
          .status as
          { lastPushCommit?: string; observedPolicies?: Record<string, { tag: string }> } | undefined;
        const done =
          !!status?.lastPushCommit &&
          status.lastPushCommit !== previousCommit &&
          status.observedPolicies?.["web"]?.tag === tag;
        if (done) commit = status.lastPushCommit!;
        return done;
      },
    ]);
    steps.push([
      "source fetched the commit",
      async () =>
        !!commit &&
        (
          await get<S>(fluxApiVersions.GitRepository, "GitRepository", "config")
        ).status?.artifact?.revision.endsWith(commit) === true,
    ]);
    steps.push([
      "kustomization applied it",
      async () =>
        !!commit &&
        (
          await get<S>(fluxApiVersions.Kustomization, "Kustomization", "web")
        ).status?.lastAppliedRevision?.endsWith(commit) === true,
    ]);
    steps.push(["deployment rolled out", async () => this.rolledOut(tag)]);
    if (this.onRealNodes) {
      steps.push([`the app answers "web ${tag}"`, async () => this.answers(`web ${tag}`)]);
      const service = `web.${this.namespace}.svc.cluster.local`;
      steps.push([`so does its Service, ${service}`, async () => this.serviceAnswers(`web ${tag}`)]);
    }
    const timings: { step: string; ms: number }[] = [];
    for (const [step, done] of steps) {
      while (!(await done().catch(() => false))) {
        if (Date.now() - started > timeoutMs)
          throw new Error(`the loop stopped before "${step}" (after ${timeoutMs / 1000}s)`);
        await sleep(50);
      }
      timings.push({ step, ms: Date.now() - started });
    }
    return timings;
  }

  async rolledOut(tag: string): Promise<boolean> {
    const d = await this.client.get<
      KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } }
    >("apps/v1", "Deployment", "web", this.namespace);
    return (
      d.spec.template.spec.containers[0]?.image === `${this.image}:${tag}` &&
      computeHealth(d).status === "Current"
    );
  }

  /**
   * Whether every ready Pod behind the Service web answers with `text`: each address of its
   * EndpointSlices, over HTTP (the Pods' addresses are routed from this machine to the real node).
   */
  async answers(text: string): Promise<boolean> {
    type Slice = KubeObject & {
      endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[];
      ports?: { port?: number }[];
    };
    const slices = await this.client.list<Slice>("discovery.k8s.io/v1", "EndpointSlice", {
      namespace: this.namespace,
      labelSelector: "kubernetes.io/service-name=web",
    });
    const targets = slices.items.flatMap((slice) =>
      (slice.endpoints ?? [])
        .filter((e) => e.conditions?.ready !== false) // not the old Pods still shutting down
        .flatMap((e) => e.addresses.map((a) => `http://${a}:${slice.ports?.[0]?.port ?? 8080}/`)),
    );
    if (targets.length === 0) return false;
    const pages = await Promise.all(
      targets.map((url) => fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.text())),
    );
    return pages.every((page) => page.includes(text));
  }

  /**
   * Whether the Service web answers with `text`, asked from inside the cluster as its clients
   * ask: by name through the cluster's DNS, then its ClusterIP through kube-proxy's rules, from
   * one of its Pods (`pods/exec`), several times so that every backend kube-proxy picks is heard.
   */
  async serviceAnswers(text: string, requests = 6): Promise<boolean> {
    const pods = await this.client.list<KubeObject & { status?: { phase?: string } }>("v1", "Pod", {
      namespace: this.namespace,
      labelSelector: "app=web",
    });
    const pod = pods.items.find((p) => p.status?.phase === "Running");
    if (!pod) return false;
    const name = `web.${this.namespace}.svc.cluster.local`;
    const script = [
      `ip=$(nslookup ${name} | awk '/^Address: /{print $2}' | tail -1)`,
      `for i in $(seq ${requests}); do printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 2 "$ip" 80 | tail -1; done`,
    ].join("; ");
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (chunk: Buffer) => chunks.push(chunk));
    const { exitCode } = await execInPod(this.client, {
      namespace: this.namespace,
      pod: pod.metadata.name ?? "",
      container: "web",
      command: ["sh", "-c", script],
      stdout: out,
    });
    const answers = Buffer.concat(chunks).toString("utf8").trim().split("\n");
    return exitCode === 0 && answers.length === requests && answers.every((answer) => answer.includes(text));
  }

  async lastPushCommit(): Promise<string | undefined> {
    const a = await this.client.get<KubeObject & { status?: { lastPushCommit?: string } }>(
      fluxApiVersions.ImageUpdateAutomation,
      "ImageUpdateAutomation",
      "web",
      this.namespace,
    );
    return a.status?.lastPushCommit;
  }
}
