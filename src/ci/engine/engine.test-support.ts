/**
 * Helpers for the engine's tests: a CiEngine over a real SQLite store with a simulated clock, a
 * launcher that holds builds until the test ends them, and a `git` resource whose versions the
 * test sets.
 */
import assert from "node:assert/strict";
import { setImmediate, setTimeout as sleep } from "node:timers/promises";
import { silentLogger } from "../../runtime/logger.ts";
import type { BuiltinResource, ResourceConfig, Version } from "../resources/resource.ts";
import { setNewPipeline } from "../store/sql/store.test-support.ts";
import type { SqlCiStore } from "../store/index.ts";
import type { BuildEvent, BuildRecord, BuildStatus, CiStore, PipelineRecord } from "../store/index.ts";
import { staticVarSource, type StaticVars } from "../vars/static-vars.ts";
import { CiEngine } from "./engine.ts";
import type { BuildLauncher } from "./launcher.ts";

/** A launcher that records the builds it is given and ends them when the test says. */
export class HeldLauncher implements BuildLauncher {
  readonly runs: BuildRecord[] = [];
  readonly aborted: number[] = [];
  readonly #ends = new Map<number, (status: BuildStatus) => void>();
  readonly #store: CiStore;
  readonly #now: () => number;

  constructor(store: CiStore, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  run(build: BuildRecord): Promise<BuildStatus> {
    this.runs.push(build);
    return new Promise((resolve) => this.#ends.set(build.id, resolve)).then(async (status) => {
      await this.#store.finishBuild(build.id, status as BuildStatus, this.#now());
      return status as BuildStatus;
    });
  }

  /** Ends a running build with `status` and waits until the store has it. */
  async finish(buildId: number, status: BuildStatus = "succeeded"): Promise<void> {
    const end = this.#ends.get(buildId);
    assert.ok(end, `build ${buildId} is not running`);
    this.#ends.delete(buildId);
    end(status);
    await until(async () => (await this.#store.getBuild(buildId))?.status === status);
  }

  abort(buildId: number): boolean {
    const end = this.#ends.get(buildId);
    if (!end) return false;
    this.aborted.push(buildId);
    this.#ends.delete(buildId);
    end("aborted");
    return true;
  }

  follow(_buildId: number, _listener: (events: BuildEvent[]) => void): () => void {
    return () => undefined;
  }
}

/** A `git` resource whose check answers the versions the test emitted, from the cursor on. */
export class FakeGit implements BuiltinResource {
  readonly type = "git";
  versions: Version[] = [];
  /** The sources it was checked with, one per check. */
  readonly checks: ResourceConfig[] = [];
  failure: string | undefined;

  emit(...refs: string[]): this {
    this.versions.push(...refs.map((ref) => ({ ref })));
    return this;
  }

  check(source: ResourceConfig, from: Version | undefined): Promise<Version[]> {
    this.checks.push(source);
    if (this.failure !== undefined) return Promise.reject(new Error(this.failure));
    const at = from ? this.versions.findIndex((v) => v["ref"] === from["ref"]) : -1;
    return Promise.resolve(at < 0 ? this.versions.slice(-1) : this.versions.slice(at));
  }

  get(): never {
    throw new Error("not used by the engine's loops");
  }

  put(): never {
    throw new Error("not used by the engine's loops");
  }
}

/** Resolves once `condition` holds, letting promises, timers and I/O run in between. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, `condition not reached in ${timeoutMs} ms`);
    await (timeoutMs > 2000 ? sleep(20) : setImmediate());
  }
}

export interface EngineFixture {
  engine: CiEngine;
  launcher: HeldLauncher;
  git: FakeGit;
  clock: { now: number };
  /** Sets a new unpaused pipeline. */
  pipeline: (name: string, yaml: string) => Promise<PipelineRecord>;
  /** A minute later (the default check interval), one check pass, then one scheduling pass over `pipeline`. */
  cycle: (pipeline: PipelineRecord) => Promise<void>;
}

export function engineFixture(store: SqlCiStore, vars: StaticVars = {}): EngineFixture {
  const clock = { now: Date.parse("2026-01-01T00:00:00Z") };
  const now = () => clock.now;
  const launcher = new HeldLauncher(store, now);
  const git = new FakeGit();
  const engine = new CiEngine({
    store,
    launcher,
    vars: () => staticVarSource(vars, "the test's vars"),
    logger: silentLogger(),
    resources: new Map([["git", git]]),
    now,
  });
  return {
    engine,
    launcher,
    git,
    clock,
    pipeline: (name, yaml) => setNewPipeline(store, name, yaml),
    cycle: async (pipeline) => {
      clock.now += 60_000;
      await engine.checker.tick();
      await engine.scheduler.schedulePipeline(pipeline.id);
    },
  };
}
