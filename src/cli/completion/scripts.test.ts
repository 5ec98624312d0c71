import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { Command } from "commander";
import { bashScript, completionTree, fishScript, zshScript } from "./scripts.ts";

function program(): Command {
  const p = new Command("tool");
  const create = p.command("create").description("create things");
  create.command("source").description("a source").option("--url <url>").option("--branch <b>");
  create.command("secret").description("a secret");
  p.command("check").option("--pre");
  p.command("hidden", { hidden: true });
  return p;
}

/** What bash completes for `line` (the last word being completed), through the real bash. */
function complete(line: string[]): string[] {
  const script = bashScript("tool", completionTree(program()));
  const words = line.map((w) => `'${w}'`).join(" ");
  const out = execFileSync(
    "bash",
    [
      "-c",
      `${script}\nCOMP_WORDS=(${words}); COMP_CWORD=${line.length - 1}; _tool; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: "utf8" },
  );
  return out.split("\n").filter(Boolean).sort();
}

test("bash completes subcommands and options of the command typed so far, never hidden ones", () => {
  assert.deepEqual(complete(["tool", ""]), ["check", "create"]);
  assert.deepEqual(complete(["tool", "create", "s"]), ["secret", "source"]);
  assert.deepEqual(complete(["tool", "create", "source", "--url", "x", "--b"]), ["--branch"]);
  assert.deepEqual(complete(["tool", "check", "--"]), ["--pre"]);
});

test("zsh reuses the bash script; fish gets one line per word with its condition", () => {
  const tree = completionTree(program());
  assert.match(
    zshScript("tool", tree),
    /^# tool completion for zsh[\s\S]*bashcompinit[\s\S]*complete -o default -F _tool tool/,
  );
  const fish = fishScript("tool", tree);
  assert.match(
    fish,
    /complete -c tool -f -n 'test "\(__tool_path\)" = '\\''\/create'\\''' -a 'source' -d 'a source'/,
  );
  assert.match(fish, /-l 'pre'/);
  assert.doesNotMatch(fish, /hidden/);
});
