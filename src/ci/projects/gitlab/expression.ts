/**
 * GitLab's CI/CD variable expressions (`rules: if`, `only: variables`): `$VAR` / `${VAR}`,
 * quoted strings, `null`, `/regex/` (RE2, flag `i`), `==` `!=` `=~` `!~`, `&&` over `||`,
 * parentheses. An undefined variable is null; a bare operand is true when non-empty.
 * `parseExpression` throws ExpressionError for text that is not an expression.
 */
import { GoRegexp, GoRegexpError } from "../../../common/go-regexp.ts";

export class ExpressionError extends Error {
  constructor(expression: string, message: string) {
    super(`${message} in ${JSON.stringify(expression)}`);
    this.name = "ExpressionError";
  }
}

type Token =
  | { kind: "variable"; name: string }
  | { kind: "string"; value: string }
  | { kind: "null" }
  | { kind: "regex"; source: string; flags: string }
  | { kind: "op"; op: "==" | "!=" | "=~" | "!~" | "&&" | "||" | "(" | ")" };

type Operand = Exclude<Token, { kind: "op" }>;
type Node =
  | { kind: "operand"; operand: Operand }
  | { kind: "compare"; op: "==" | "!=" | "=~" | "!~"; left: Operand; right: Operand }
  | { kind: "logic"; op: "&&" | "||"; left: Node; right: Node };

export type Expression = (variables: Readonly<Record<string, string>>) => boolean;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (message: string) => new ExpressionError(text, message);
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const op = /^(==|!=|=~|!~|&&|\|\||\(|\))/.exec(rest);
    const variable = /^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/.exec(rest);
    const nullWord = /^null\b/.exec(rest);
    if (op) {
      tokens.push({ kind: "op", op: op[1] as "==" });
      i += op[0].length;
    } else if (variable) {
      tokens.push({ kind: "variable", name: variable[1] ?? variable[2]! });
      i += variable[0].length;
    } else if (nullWord) {
      tokens.push({ kind: "null" });
      i += 4;
    } else if (rest.startsWith('"') || rest.startsWith("'")) {
      const end = text.indexOf(rest[0]!, i + 1);
      if (end < 0) throw fail("unterminated string");
      tokens.push({ kind: "string", value: text.slice(i + 1, end) });
      i = end + 1;
    } else if (rest.startsWith("/")) {
      const match = /^\/((?:\\.|[^\\/])*)\/([a-z]*)/.exec(rest);
      if (!match) throw fail("unterminated regular expression");
      tokens.push({ kind: "regex", source: match[1]!, flags: match[2]! });
      i += match[0].length;
    } else throw fail(`unexpected ${JSON.stringify(rest.slice(0, 10))}`);
  }
  return tokens;
}

class Parser {
  #i = 0;
  readonly text: string;
  readonly tokens: Token[];
  constructor(text: string, tokens: Token[]) {
    this.text = text;
    this.tokens = tokens;
  }

  parse(): Node {
    const node = this.#or();
    if (this.#i < this.tokens.length)
      throw new ExpressionError(this.text, "unexpected text after the expression");
    return node;
  }

  #peekOp(...ops: string[]): string | undefined {
    const token = this.tokens[this.#i];
    return token?.kind === "op" && ops.includes(token.op) ? token.op : undefined;
  }

  #or(): Node {
    let left = this.#and();
    while (this.#peekOp("||")) {
      this.#i++;
      left = { kind: "logic", op: "||", left, right: this.#and() };
    }
    return left;
  }

  #and(): Node {
    let left = this.#compare();
    while (this.#peekOp("&&")) {
      this.#i++;
      left = { kind: "logic", op: "&&", left, right: this.#compare() };
    }
    return left;
  }

  #compare(): Node {
    if (this.#peekOp("(")) {
      this.#i++;
      const inner = this.#or();
      if (!this.#peekOp(")")) throw new ExpressionError(this.text, "missing )");
      this.#i++;
      return inner;
    }
    const left = this.#operand();
    const op = this.#peekOp("==", "!=", "=~", "!~") as "==" | undefined;
    if (!op) return { kind: "operand", operand: left };
    this.#i++;
    return { kind: "compare", op, left, right: this.#operand() };
  }

  #operand(): Operand {
    const token = this.tokens[this.#i++];
    if (!token || token.kind === "op")
      throw new ExpressionError(this.text, "expected a variable, a string, null or a /regex/");
    return token;
  }
}

function compileRegex(source: string, flags: string, text: string): GoRegexp {
  try {
    return new GoRegexp(flags.includes("i") ? `(?i)${source}` : source);
  } catch (error) {
    if (error instanceof GoRegexpError) throw new ExpressionError(text, error.message);
    throw error;
  }
}

export function parseExpression(text: string): Expression {
  const tree = new Parser(text, tokenize(text)).parse();
  const regexes = new Map<Operand, GoRegexp>();
  const check = (node: Node): void => {
    if (node.kind === "logic") return [node.left, node.right].forEach(check);
    if (node.kind === "compare" && node.right.kind === "regex")
      regexes.set(node.right, compileRegex(node.right.source, node.right.flags, text));
  };
  check(tree);
  const valueOf = (operand: Operand, vars: Readonly<Record<string, string>>): string | null => {
    if (operand.kind === "variable") return vars[operand.name] ?? null;
    if (operand.kind === "string") return operand.value;
    if (operand.kind === "regex") return `/${operand.source}/${operand.flags}`;
    return null;
  };
  const matches = (left: string | null, right: Operand, vars: Readonly<Record<string, string>>): boolean => {
    if (left === null) return false;
    const compiled = regexes.get(right);
    if (compiled) return compiled.test(left);
    const pattern = valueOf(right, vars);
    const literal = pattern === null ? undefined : /^\/(.*)\/([a-z]*)$/s.exec(pattern);
    if (!literal) return false;
    return compileRegex(literal[1]!, literal[2]!, text).test(left);
  };
  const evaluate = (node: Node, vars: Readonly<Record<string, string>>): boolean => {
    switch (node.kind) {
      case "logic":
        return node.op === "&&"
          ? evaluate(node.left, vars) && evaluate(node.right, vars)
          : evaluate(node.left, vars) || evaluate(node.right, vars);
      case "operand": {
        const value = valueOf(node.operand, vars);
        return value !== null && value !== "";
      }
      case "compare": {
        const left = valueOf(node.left, vars);
        if (node.op === "==") return left === valueOf(node.right, vars);
        if (node.op === "!=") return left !== valueOf(node.right, vars);
        const matched = matches(left, node.right, vars);
        return node.op === "=~" ? matched : !matched;
      }
    }
  };
  return (vars) => evaluate(tree, vars);
}
