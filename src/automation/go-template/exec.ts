/** Executes a parsed template against data, with Go text/template semantics. */
import { FuncError, TemplateError, type TemplateErrorCode } from "./errors.ts";
import { formatValue, NO_VALUE, sortedEntries, typeName } from "./format.ts";
import { isTrue, type FuncDef, type TemplateFunc } from "./funcs.ts";
import type { BranchNode, Command, Node, Operand, Pipe, Tree } from "./parse.ts";

/** `{{break}}` and `{{continue}}` unwind to their range. */
class BreakSignal extends Error {}
class ContinueSignal extends Error {}

interface Variable {
  readonly name: string;
  value: unknown;
}

/** Stops runaway templates: output size and loop iterations. */
const maxOutput = 1 << 20;
const maxIterations = 1_000_000;

interface RangeItems {
  readonly length: number;
  at(index: number): [unknown, unknown];
}

export function execute(tree: Tree, data: unknown, functions: ReadonlyMap<string, FuncDef>): string {
  const state = new State(tree, functions, data);
  state.walk(tree.root, data);
  return state.out;
}

class State {
  out = "";
  readonly #tree: Tree;
  readonly #functions: ReadonlyMap<string, FuncDef>;
  readonly #vars: Variable[];
  #iterations = 0;

  constructor(tree: Tree, functions: ReadonlyMap<string, FuncDef>, data: unknown) {
    this.#tree = tree;
    this.#functions = functions;
    this.#vars = [{ name: "$", value: data }];
  }

  #fail(code: TemplateErrorCode, offset: number, at: string, detail: string): never {
    throw new TemplateError({
      code,
      phase: "exec",
      template: this.#tree.name,
      source: this.#tree.source,
      offset,
      detail,
      at,
    });
  }

  #write(text: string): void {
    this.out += text;
    if (this.out.length > maxOutput) this.#fail("function-failed", 0, "", "output exceeds 1 MiB");
  }

  walk(nodes: readonly Node[], dot: unknown): void {
    for (const node of nodes) {
      switch (node.kind) {
        case "text":
          this.#write(node.text);
          break;
        case "action": {
          const value = this.#pipe(node.pipe, dot);
          if (node.pipe.decl.length === 0) this.#write(formatValue(value));
          break;
        }
        case "if":
        case "with":
          this.#conditional(node, dot);
          break;
        case "range":
          this.#range(node, dot);
          break;
        case "break":
          throw new BreakSignal();
        case "continue":
          throw new ContinueSignal();
      }
    }
  }

  #scoped(fn: () => void): void {
    const mark = this.#vars.length;
    try {
      fn();
    } finally {
      this.#vars.length = mark;
    }
  }

  #conditional(node: BranchNode, dot: unknown): void {
    this.#scoped(() => {
      const value = this.#pipe(node.pipe, dot);
      if (isTrue(value)) this.walk(node.list, node.kind === "with" ? value : dot);
      else if (node.elseList !== undefined) this.walk(node.elseList, dot);
    });
  }

  #range(node: BranchNode, dot: unknown): void {
    this.#scoped(() => {
      const value = this.#pipe({ ...node.pipe, decl: [] }, dot);
      const items = this.#rangeItems(value, node);
      if (items.length === 0) {
        if (node.elseList !== undefined) this.walk(node.elseList, dot);
        return;
      }
      const [first, second] = node.pipe.decl;
      for (let i = 0; i < items.length; i++) {
        if (++this.#iterations > maxIterations) {
          this.#fail("function-failed", node.offset, "range", `more than ${maxIterations} range iterations`);
        }
        const [key, element] = items.at(i);
        const mark = this.#vars.length;
        if (second !== undefined && first !== undefined) {
          this.#vars.push({ name: first, value: key }, { name: second, value: element });
        } else if (first !== undefined) {
          this.#vars.push({ name: first, value: element });
        }
        try {
          this.walk(node.list, element);
        } catch (signal) {
          if (signal instanceof BreakSignal) break;
          if (!(signal instanceof ContinueSignal)) throw signal;
        } finally {
          this.#vars.length = mark;
        }
      }
    });
  }

  /** What a range visits, as (key, element) pairs produced on demand. */
  #rangeItems(value: unknown, node: BranchNode): RangeItems {
    const of = (pairs: [unknown, unknown][]): RangeItems => ({ length: pairs.length, at: (i) => pairs[i]! });
    if (value === null || value === undefined || value === NO_VALUE) return of([]);
    if (Array.isArray(value)) return { length: value.length, at: (i) => [i, value[i]] };
    if (value instanceof Map) return of(sortedEntries(value as Map<unknown, unknown>));
    if (typeof value === "number" && Number.isInteger(value)) {
      if (node.pipe.decl.length > 1) {
        this.#fail(
          "bad-argument",
          node.offset,
          "range",
          "can't use two variables when ranging over an integer",
        );
      }
      return { length: Math.max(0, value), at: (i) => [i, i] };
    }
    return this.#fail("bad-argument", node.offset, "range", `range can't iterate over ${formatValue(value)}`);
  }

  #pipe(pipe: Pipe, dot: unknown): unknown {
    let value: unknown = undefined;
    pipe.cmds.forEach((cmd, i) => {
      value = this.#command(cmd, dot, i === 0 ? undefined : { value });
    });
    for (const name of pipe.decl) {
      if (pipe.assign) {
        const target = [...this.#vars].reverse().find((v) => v.name === name);
        if (target !== undefined) target.value = value;
      } else {
        this.#vars.push({ name, value });
      }
    }
    return value;
  }

  #command(cmd: Command, dot: unknown, final: { value: unknown } | undefined): unknown {
    const [head, ...rest] = cmd.args;
    if (head === undefined) return undefined;
    switch (head.kind) {
      case "function":
        return this.#callFunction(head, rest, dot, final);
      case "field":
        return this.#chain(dot, head.fields, head, this.#args(rest, dot, final));
      case "variable":
        return this.#chain(this.#variable(head.name), head.fields, head, this.#args(rest, dot, final));
      case "pipe":
        if (head.fields.length > 0) {
          return this.#chain(this.#pipe(head.pipe, dot), head.fields, head, this.#args(rest, dot, final));
        }
    }
    if (rest.length > 0 || final !== undefined) {
      this.#fail("bad-argument", head.offset, head.text, `can't give argument to non-function ${head.text}`);
    }
    return this.#operand(head, dot);
  }

  #args(
    rest: readonly Operand[],
    dot: unknown,
    final: { value: unknown } | undefined,
  ): unknown[] | undefined {
    if (rest.length === 0 && final === undefined) return undefined;
    const values = rest.map((op) => this.#operand(op, dot));
    if (final !== undefined) values.push(final.value);
    return values;
  }

  #operand(op: Operand, dot: unknown): unknown {
    switch (op.kind) {
      case "dot":
        return dot;
      case "literal":
        return op.value;
      case "field":
        return this.#chain(dot, op.fields, op, undefined);
      case "variable":
        return this.#chain(this.#variable(op.name), op.fields, op, undefined);
      case "pipe":
        return this.#chain(this.#pipe(op.pipe, dot), op.fields, op, undefined);
      case "function":
        return this.#callFunction(op, [], dot, undefined);
    }
  }

  #variable(name: string): unknown {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      const v = this.#vars[i]!;
      if (v.name === name) return v.value;
    }
    return NO_VALUE;
  }

  #callFunction(
    head: Extract<Operand, { kind: "function" }>,
    rest: readonly Operand[],
    dot: unknown,
    final: { value: unknown } | undefined,
  ): unknown {
    const def = this.#functions.get(head.name);
    if (def === undefined)
      return this.#fail("unknown-function", head.offset, head.text, `function "${head.name}" not defined`);
    const count = rest.length + (final === undefined ? 0 : 1);
    if (count < def.min || count > def.max) {
      const want =
        def.min === def.max
          ? `${def.min}`
          : def.max === Infinity
            ? `at least ${def.min}`
            : `${def.min} to ${def.max}`;
      this.#fail(
        "bad-argument",
        head.offset,
        head.text,
        `wrong number of args for ${head.name}: want ${want} got ${count}`,
      );
    }
    if (head.name === "and" || head.name === "or") return this.#lazyLogic(head.name, rest, dot, final);
    const args = this.#args(rest, dot, final) ?? [];
    return this.#invoke(def.fn, args, head);
  }

  #lazyLogic(
    name: "and" | "or",
    rest: readonly Operand[],
    dot: unknown,
    final: { value: unknown } | undefined,
  ): unknown {
    let value: unknown = undefined;
    const thunks: (() => unknown)[] = rest.map((op) => () => this.#operand(op, dot));
    if (final !== undefined) thunks.push(() => final.value);
    for (const thunk of thunks) {
      value = thunk();
      if (isTrue(value) !== (name === "and")) return value;
    }
    return value;
  }

  #invoke(fn: TemplateFunc, args: unknown[], at: { offset: number; text: string }, self?: unknown): unknown {
    try {
      return fn.apply(self, args);
    } catch (err) {
      if (err instanceof FuncError) this.#fail(err.code, at.offset, at.text, err.message);
      if (err instanceof TemplateError || err instanceof BreakSignal || err instanceof ContinueSignal)
        throw err;
      const message = err instanceof Error ? err.message : String(err);
      return this.#fail("function-failed", at.offset, at.text, `error calling ${at.text}: ${message}`);
    }
  }

  /** Evaluates `.A.B.C` from `receiver`; the last element receives `args` (a method call). */
  #chain(
    receiver: unknown,
    fields: readonly string[],
    op: { offset: number; text: string },
    args: unknown[] | undefined,
  ): unknown {
    let value = receiver;
    fields.forEach((field, i) => {
      const last = i === fields.length - 1;
      value = this.#field(value, field, op, last ? args : undefined);
    });
    if (fields.length === 0 && args !== undefined) {
      this.#fail("bad-argument", op.offset, op.text, `can't give argument to non-function ${op.text}`);
    }
    return value;
  }

  #field(
    receiver: unknown,
    name: string,
    op: { offset: number; text: string },
    args: unknown[] | undefined,
  ): unknown {
    if (receiver === null || receiver === undefined || receiver === NO_VALUE) {
      return this.#fail(
        "missing-field",
        op.offset,
        op.text,
        `nil pointer evaluating ${typeName(receiver)}.${name}`,
      );
    }
    if (receiver instanceof Map) {
      if (args !== undefined)
        this.#fail("bad-argument", op.offset, op.text, `${name} is not a method but has arguments`);
      return receiver.has(name) ? receiver.get(name) : NO_VALUE;
    }
    if (typeof receiver !== "object" || Array.isArray(receiver)) {
      return this.#fail(
        "missing-field",
        op.offset,
        op.text,
        `can't evaluate field ${name} in type ${typeName(receiver)}`,
      );
    }
    const member = lookup(receiver, name);
    if (member === undefined) {
      return this.#fail(
        "missing-field",
        op.offset,
        op.text,
        `can't evaluate field ${name} in type ${typeName(receiver)}`,
      );
    }
    if (member.method) return this.#invoke(member.value as TemplateFunc, args ?? [], op, receiver);
    if (args !== undefined)
      this.#fail("bad-argument", op.offset, op.text, `${name} is not a method but has arguments`);
    return member.value;
  }
}

/**
 * An own property (a field; a function-valued field is returned, not called, as in Go), or a
 * method of the object's class; never what every object inherits.
 */
function lookup(receiver: object, name: string): { value: unknown; method: boolean } | undefined {
  if (Object.hasOwn(receiver, name))
    return { value: (receiver as Record<string, unknown>)[name], method: false };
  if (name === "constructor") return undefined;
  let proto = Object.getPrototypeOf(receiver) as object | null;
  while (proto !== null && proto !== Object.prototype) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor?.get !== undefined)
      return { value: descriptor.get.call(receiver) as unknown, method: false };
    if (typeof descriptor?.value === "function") return { value: descriptor.value as unknown, method: true };
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return undefined;
}
