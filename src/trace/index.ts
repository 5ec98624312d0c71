/**
 * Delivery traces: from a build forwards to the Pods that run what it pushed, or from a workload
 * backwards to the build and commit that produced its image, as one list of steps per path.
 */
import type { CiStore } from "../ci/store/store.ts";
import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import { buildOrigin, type PushedImage } from "./build-origin.ts";
import type { ConfigHistory } from "./config-history.ts";
import { deliveryPaths } from "./delivery-path.ts";
import { imagesOf, type Workload } from "./rollout.ts";
import type { DeliveryTrace, TraceStep } from "./trace-types.ts";
import { runningImage } from "./workload-origin.ts";

export { traceableWorkloads, type DeliveryTrace, type TraceStep } from "./trace-types.ts";

export class WorkloadNotFound extends Error {}

export class DeliveryTracer {
  readonly #store: CiStore;
  readonly #kube: KubeClient;
  readonly #history: ConfigHistory;

  constructor(store: CiStore, kube: KubeClient, history: ConfigHistory) {
    this.#store = store;
    this.#kube = kube;
    this.#history = history;
  }

  /** Forwards from a build; undefined when there is no such build. */
  async fromBuild(buildId: number): Promise<DeliveryTrace | undefined> {
    const origin = await buildOrigin(this.#store, buildId);
    if (!origin) return undefined;
    const trace: DeliveryTrace = { from: `build ${buildId}`, paths: [], notes: [] };
    if (origin.images.length === 0) {
      trace.paths.push(origin.steps);
      trace.notes.push("the build pushed no image (no registry-image put succeeded)");
    }
    for (const image of origin.images) await this.#follow(trace, [...origin.steps, image.step], image);
    return trace;
  }

  /** Backwards from a workload, then forwards again from what produced its images. */
  async fromWorkload(kind: string, namespace: string, name: string): Promise<DeliveryTrace> {
    const workload = await this.#kube
      .get<Workload>("apps/v1", kind, name, namespace)
      .catch((error: unknown) => {
        throw isNotFound(error) ? new WorkloadNotFound(`${kind} ${namespace}/${name} not found`) : error;
      });
    const where = `${kind} ${namespace}/${name}`;
    const trace: DeliveryTrace = { from: where, paths: [], notes: [] };
    for (const reference of imagesOf(workload)) {
      const running = await runningImage(this.#store, this.#kube, reference);
      if (running.problem) trace.notes.push(running.problem);
      const built = running.buildId !== undefined ? await this.fromBuild(running.buildId) : undefined;
      if (built) {
        const here = built.paths.filter((p) => p.some((s) => s.stage === "rollout" && s.title === where));
        trace.paths.push(...(here.length ? here : built.paths));
        trace.notes.push(...built.notes);
        continue;
      }
      trace.notes.push(
        `no build of this server pushed ${reference}${running.digest ? ` (${running.digest})` : ""}`,
      );
      const image: PushedImage = {
        repository: running.repository,
        tags: [running.tag],
        digest: running.digest ?? "",
      };
      const step: TraceStep = {
        stage: "image",
        state: "done",
        title: reference,
        ...(running.digest ? { detail: running.digest } : {}),
      };
      await this.#follow(trace, [step], image);
    }
    return trace;
  }

  async #follow(trace: DeliveryTrace, before: TraceStep[], image: PushedImage): Promise<void> {
    const cd = await deliveryPaths({ kube: this.#kube, history: this.#history }, image);
    trace.notes.push(...cd.notes);
    if (cd.paths.length === 0) trace.paths.push(before);
    for (const path of cd.paths) trace.paths.push([...before, ...path]);
  }
}
