/**
 * Shell completion scripts made from the program's own command tree, so they never fall behind
 * it: the completed words are the subcommands and the long options of the command typed so far.
 */
import type { Command } from "commander";
import { shellQuote } from "../../common/shell-quote.ts";

/** One command: its path from the program (`/create/source`), subcommands and long options. */
export interface CompletionNode {
  path: string;
  subcommands: { name: string; description: string }[];
  options: string[];
}

export function completionTree(program: Command): CompletionNode[] {
  const out: CompletionNode[] = [];
  const walk = (cmd: Command, path: string) => {
    const visible = cmd.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
    out.push({
      path,
      subcommands: visible.map((c) => ({ name: c.name(), description: c.description() })),
      options: cmd.options.flatMap((o) => (o.long ? [o.long] : [])),
    });
    for (const c of visible) walk(c, `${path}/${c.name()}`);
  };
  walk(program, "");
  return out;
}

const words = (node: CompletionNode) => [...node.subcommands.map((c) => c.name), ...node.options].join(" ");

export function bashScript(name: string, tree: readonly CompletionNode[]): string {
  const paths = tree.filter((n) => n.path !== "").map((n) => shellQuote(n.path));
  const cases = tree.map((n) => `    ${shellQuote(n.path)}) words=${shellQuote(words(n))} ;;`);
  const fn = `_${name.replace(/\W/g, "_")}`;
  return [
    `# ${name} completion for bash: source <(${name} completion bash)`,
    `${fn}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}" path="" w words="" i',
    "  for ((i = 1; i < COMP_CWORD; i++)); do",
    '    w="${COMP_WORDS[i]}"',
    '    [[ "$w" == -* ]] && continue',
    `    case "$path/$w" in ${paths.join("|")}) path="$path/$w" ;; esac`,
    "  done",
    '  case "$path" in',
    ...cases,
    "  esac",
    '  COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    "}",
    `complete -o default -F ${fn} ${name}`,
    "",
  ].join("\n");
}

/** zsh reads the bash script through bashcompinit. */
export function zshScript(name: string, tree: readonly CompletionNode[]): string {
  return [
    `# ${name} completion for zsh: source <(${name} completion zsh)`,
    "autoload -U +X bashcompinit && bashcompinit",
    bashScript(name, tree),
  ].join("\n");
}

export function fishScript(name: string, tree: readonly CompletionNode[]): string {
  const fn = `__${name.replace(/\W/g, "_")}_path`;
  const paths = tree.filter((n) => n.path !== "").map((n) => shellQuote(n.path));
  const lines = [
    `# ${name} completion for fish: ${name} completion fish | source`,
    `set -g ${fn}s ${paths.join(" ")}`,
    `function ${fn}`,
    '  set -l path ""',
    "  for w in (commandline -opc)[2..-1]",
    "    string match -q -- '-*' $w; and continue",
    `    contains -- "$path/$w" $${fn}s; and set path "$path/$w"`,
    "  end",
    '  echo "$path"',
    "end",
  ];
  for (const node of tree) {
    const when = `-n ${shellQuote(`test "(${fn})" = ${shellQuote(node.path)}`)}`;
    for (const c of node.subcommands)
      lines.push(`complete -c ${name} -f ${when} -a ${shellQuote(c.name)} -d ${shellQuote(c.description)}`);
    for (const o of node.options) lines.push(`complete -c ${name} -f ${when} -l ${shellQuote(o.slice(2))}`);
  }
  return `${lines.join("\n")}\n`;
}
