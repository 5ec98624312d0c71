/**
 * Build-local vars, `((.:name))`, set by load_var and across. A scope answers `.`-references to
 * the vars set in it and passes everything else (including `.`-references it lacks) to its
 * parent: an enclosing scope, or the pipeline's sources, as Concourse's build variables do.
 */
import { localVarSource, type VarRef } from "./reference.ts";
import { traverseFields, type VarSource } from "./source.ts";

const origin = "the build's local vars (load_var, across)";

export class LocalVarScope implements VarSource {
  readonly #parent: VarSource;
  readonly #vars = new Map<string, unknown>();

  constructor(parent: VarSource) {
    this.#parent = parent;
  }

  set(name: string, value: unknown): void {
    this.#vars.set(name, value);
  }

  /** A nested scope (an across iteration): its vars shadow this scope's and vanish with it. */
  child(): LocalVarScope {
    return new LocalVarScope(this);
  }

  lookup(ref: VarRef): Promise<unknown> {
    if (ref.source === localVarSource && this.#vars.has(ref.path)) {
      return Promise.resolve(ref).then((r) => traverseFields(this.#vars.get(r.path), r, origin));
    }
    return this.#parent.lookup(ref);
  }

  lookedIn(ref: VarRef): string[] {
    const parents = this.#parent.lookedIn(ref);
    return ref.source === localVarSource && !parents.includes(origin) ? [origin, ...parents] : parents;
  }
}
