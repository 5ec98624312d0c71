/** Parses lexed segments into a tree, checking functions and variables as Go does at parse time. */
import { type TemplateErrorCode, parseError } from "./errors.ts";
import { lex, type ActionSegment, type Segment, type Token } from "./lex.ts";

export type Operand =
  | { readonly kind: "dot"; readonly offset: number; readonly text: string }
  | {
      readonly kind: "field";
      readonly fields: readonly string[];
      readonly offset: number;
      readonly text: string;
    }
  | {
      readonly kind: "variable";
      readonly name: string;
      readonly fields: readonly string[];
      readonly offset: number;
      readonly text: string;
    }
  | { readonly kind: "function"; readonly name: string; readonly offset: number; readonly text: string }
  | {
      readonly kind: "literal";
      readonly value: string | number | boolean | null;
      readonly offset: number;
      readonly text: string;
    }
  | {
      readonly kind: "pipe";
      readonly pipe: Pipe;
      readonly fields: readonly string[];
      readonly offset: number;
      readonly text: string;
    };

export interface Command {
  readonly args: readonly Operand[];
  readonly offset: number;
}

export interface Pipe {
  /** Variables declared (`:=`) or assigned (`=`), with their `$`. */
  readonly decl: readonly string[];
  readonly assign: boolean;
  readonly cmds: readonly Command[];
  readonly offset: number;
}

/** `if`, `with` and `range`, with their `else` part. */
export interface BranchNode {
  readonly kind: "if" | "with" | "range";
  readonly pipe: Pipe;
  readonly list: readonly Node[];
  readonly elseList: readonly Node[] | undefined;
  readonly offset: number;
}

export type Node =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "action"; readonly pipe: Pipe; readonly offset: number }
  | BranchNode
  | { readonly kind: "break" | "continue"; readonly offset: number };

export interface Tree {
  readonly name: string;
  readonly source: string;
  readonly root: readonly Node[];
}

interface Terminator {
  readonly keyword: "end" | "else";
  readonly segment: ActionSegment;
  /** Tokens after `else` (for `else if` / `else with`). */
  readonly rest: readonly Token[];
}

export function parse(source: string, name: string, functions: ReadonlySet<string>): Tree {
  const parser = new Parser(source, name, lex(source, name), functions);
  return { name, source, root: parser.run() };
}

class Parser {
  readonly #source: string;
  readonly #name: string;
  readonly #segments: readonly Segment[];
  readonly #functions: ReadonlySet<string>;
  #index = 0;
  readonly #scopes: Set<string>[] = [new Set(["$"])];
  #rangeDepth = 0;

  constructor(source: string, name: string, segments: readonly Segment[], functions: ReadonlySet<string>) {
    this.#source = source;
    this.#name = name;
    this.#segments = segments;
    this.#functions = functions;
  }

  #fail(offset: number, detail: string, code: TemplateErrorCode = "syntax"): never {
    throw parseError(this.#name, this.#source, offset, detail, code);
  }

  run(): Node[] {
    const { nodes, terminator } = this.#list();
    if (terminator !== undefined)
      this.#fail(terminator.segment.offset, `unexpected {{${terminator.keyword}}}`);
    return nodes;
  }

  #list(): { nodes: Node[]; terminator: Terminator | undefined } {
    const nodes: Node[] = [];
    while (this.#index < this.#segments.length) {
      const segment = this.#segments[this.#index++]!;
      if (segment.kind === "text") {
        nodes.push({ kind: "text", text: segment.text });
        continue;
      }
      const first = segment.tokens[0];
      if (first === undefined) this.#fail(segment.offset, "missing value for command");
      if (first.kind === "keyword" && (first.name === "end" || first.name === "else")) {
        if (first.name === "end" && segment.tokens.length > 1)
          this.#fail(segment.offset, "unexpected tokens in {{end}}");
        return { nodes, terminator: { keyword: first.name, segment, rest: segment.tokens.slice(1) } };
      }
      nodes.push(this.#action(segment, first));
    }
    return { nodes, terminator: undefined };
  }

  #action(segment: ActionSegment, first: Token): Node {
    if (first.kind !== "keyword") {
      return { kind: "action", pipe: this.#pipe(segment.tokens, segment.offset, 1), offset: segment.offset };
    }
    switch (first.name) {
      case "if":
      case "with":
      case "range":
        return this.#control(first.name, segment.tokens.slice(1), segment.offset);
      case "break":
      case "continue":
        if (this.#rangeDepth === 0) this.#fail(segment.offset, `{{${first.name}}} outside {{range}}`);
        if (segment.tokens.length > 1) this.#fail(segment.offset, `unexpected tokens in {{${first.name}}}`);
        return { kind: first.name, offset: segment.offset };
      default:
        return this.#fail(
          segment.offset,
          `{{${first.name ?? ""}}} is not supported in commit message templates`,
          "unsupported",
        );
    }
  }

  #control(kind: "if" | "with" | "range", tokens: readonly Token[], offset: number): Node {
    this.#scopes.push(new Set());
    const pipe = this.#pipe(tokens, offset, kind === "range" ? 2 : 1);
    if (kind === "range") this.#rangeDepth++;
    const body = this.#list();
    if (kind === "range") this.#rangeDepth--;
    let elseList: Node[] | undefined;
    let terminator = body.terminator;
    if (terminator?.keyword === "else") {
      const [next] = terminator.rest;
      if (next !== undefined) {
        if (kind === "range" || next.kind !== "keyword" || next.name !== kind) {
          this.#fail(next.offset, `unexpected ${next.text} after {{else}}`);
        }
        elseList = [this.#control(kind, terminator.rest.slice(1), terminator.segment.offset)];
        terminator = undefined;
      } else {
        const alternative = this.#list();
        elseList = alternative.nodes;
        terminator = alternative.terminator;
        if (terminator === undefined) this.#unclosed(kind, offset);
        if (terminator.keyword === "else")
          this.#fail(terminator.segment.offset, "expected {{end}}; found {{else}}");
      }
    } else if (terminator === undefined) {
      this.#unclosed(kind, offset);
    }
    this.#scopes.pop();
    return { kind, pipe, list: body.nodes, elseList, offset };
  }

  #unclosed(kind: string, offset: number): never {
    return this.#fail(offset, `unexpected EOF: {{${kind}}} has no matching {{end}}`, "unclosed-block");
  }

  #pipe(tokens: readonly Token[], offset: number, maxDecl: number): Pipe {
    const { decl, assign, rest } = this.#declarations(tokens, maxDecl);
    const cmds: Command[] = [];
    let start = 0;
    let depth = 0;
    for (let i = 0; i <= rest.length; i++) {
      const token = rest[i];
      if (token?.kind === "lparen") depth++;
      if (token?.kind === "rparen") depth--;
      if (token === undefined || (token.kind === "pipe" && depth === 0)) {
        const part = rest.slice(start, i);
        if (part.length === 0) this.#fail(token?.offset ?? offset, "missing value for command");
        cmds.push(this.#command(part));
        start = i + 1;
      }
    }
    if (cmds.length === 0) this.#fail(offset, "missing value for command");
    for (const token of decl) {
      if (assign) this.#checkVariable(token.name!, token.offset);
      else this.#scopes[this.#scopes.length - 1]!.add(token.name!);
    }
    return { decl: decl.map((t) => t.name!), assign, cmds, offset: rest[0]?.offset ?? offset };
  }

  #declarations(
    tokens: readonly Token[],
    maxDecl: number,
  ): { decl: Token[]; assign: boolean; rest: readonly Token[] } {
    const isVar = (t: Token | undefined): t is Token =>
      t?.kind === "variable" && (t.fields?.length ?? 0) === 0;
    const [a, b, c, d] = tokens;
    if (isVar(a) && (b?.kind === "declare" || b?.kind === "assign")) {
      return { decl: [a], assign: b.kind === "assign", rest: tokens.slice(2) };
    }
    if (isVar(a) && b?.kind === "comma" && isVar(c) && (d?.kind === "declare" || d?.kind === "assign")) {
      if (maxDecl < 2) this.#fail(b.offset, "too many declarations");
      return { decl: [a, c], assign: d.kind === "assign", rest: tokens.slice(4) };
    }
    return { decl: [], assign: false, rest: tokens };
  }

  #checkVariable(name: string, offset: number): void {
    if (!this.#scopes.some((scope) => scope.has(name))) {
      this.#fail(offset, `undefined variable "${name}"`, "undefined-variable");
    }
  }

  #command(tokens: readonly Token[]): Command {
    const args: Operand[] = [];
    let i = 0;
    while (i < tokens.length) {
      const token = tokens[i]!;
      if (i > 0 && !token.spaceBefore) this.#fail(token.offset, `missing space before ${token.text}`);
      const [operand, next] = this.#operand(tokens, i);
      args.push(operand);
      i = next;
    }
    const first = args[0]!;
    if (first.kind === "literal" && first.value === null) this.#fail(first.offset, "nil is not a command");
    return { args, offset: first.offset };
  }

  #operand(tokens: readonly Token[], i: number): [Operand, number] {
    const token = tokens[i]!;
    const base = { offset: token.offset, text: token.text };
    switch (token.kind) {
      case "dot":
        return [{ kind: "dot", ...base }, i + 1];
      case "field":
        return [{ kind: "field", fields: token.fields ?? [], ...base }, i + 1];
      case "variable":
        this.#checkVariable(token.name ?? "", token.offset);
        return [{ kind: "variable", name: token.name ?? "", fields: token.fields ?? [], ...base }, i + 1];
      case "identifier": {
        const name = token.name ?? "";
        if (!this.#functions.has(name))
          this.#fail(token.offset, `function "${name}" not defined`, "unknown-function");
        return [{ kind: "function", name, ...base }, i + 1];
      }
      case "string":
      case "number":
      case "bool":
        return [{ kind: "literal", value: token.value ?? null, ...base }, i + 1];
      case "nil":
        return [{ kind: "literal", value: null, ...base }, i + 1];
      case "lparen":
        return this.#parenthesized(tokens, i);
      default:
        return this.#fail(token.offset, `unexpected ${token.text} in operand`);
    }
  }

  #parenthesized(tokens: readonly Token[], i: number): [Operand, number] {
    const open = tokens[i]!;
    let depth = 0;
    let close = i;
    for (; close < tokens.length; close++) {
      const kind = tokens[close]!.kind;
      if (kind === "lparen") depth++;
      if (kind === "rparen" && --depth === 0) break;
    }
    if (close >= tokens.length) this.#fail(open.offset, "unclosed left paren");
    const inner = tokens.slice(i + 1, close);
    if (inner.length === 0) this.#fail(open.offset, "missing value for command");
    const pipe = this.#pipe(inner, open.offset, 0);
    let next = close + 1;
    let fields: readonly string[] = [];
    const after = tokens[next];
    if (after?.kind === "field" && !after.spaceBefore) {
      fields = after.fields ?? [];
      next++;
    }
    const end = tokens[next - 1]!;
    const text = this.#source.slice(open.offset, end.offset + end.text.length);
    return [{ kind: "pipe", pipe, fields, offset: open.offset, text }, next];
  }
}
