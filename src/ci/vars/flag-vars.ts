/**
 * The vars of `set-pipeline`'s flags, with fly's meaning and precedence:
 *   -v NAME=STRING  a string;                    NAME may have fields: `-v git.user=bot`
 *   -y NAME=YAML    a YAML value;
 *   -i NAME=YAML    an instance var: a YAML value that also names the pipeline instance;
 *   -l FILE         a YAML map of vars.
 * Flag pairs expand in the order -v, -y, -i (whatever their order on the command line), a later
 * pair winning; every flag beats every file; of the files, the later on the command line wins for
 * a whole var (files are not merged field by field). YAML is read as YAML 1.1, like fly.
 */
import { readFile as readFileFromDisk } from "node:fs/promises";
import { parse } from "yaml";
import { parseVarRef } from "./reference.ts";
import { chainVarSources, isMap, type VarSource } from "./source.ts";
import { expandPairs, flattenVars, staticVarSource, type StaticVars, type VarPair } from "./static-vars.ts";

export interface SetPipelineVarFlags {
  vars?: readonly string[];
  yamlVars?: readonly string[];
  instanceVars?: readonly string[];
  varFiles?: readonly string[];
}

export interface FlagVars {
  /** Flags first, then the files from the last to the first. */
  source: VarSource;
  /** The `-i` vars, expanded: the pipeline instance's identity. */
  instanceVars: StaticVars;
}

export class VarFlagError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "VarFlagError";
  }
}

/** The first line of a YAML error: what and where, without the excerpt of the (maybe secret) text. */
const yamlProblem = (err: unknown) =>
  err instanceof Error ? err.message.split("\n")[0]!.replace(/:$/, "") : String(err);

function parseYaml(text: string, describe: () => string): unknown {
  try {
    return parse(text, { version: "1.1" }) as unknown;
  } catch (err) {
    throw new VarFlagError(`${describe()}: ${yamlProblem(err)}`, { cause: err });
  }
}

function parsePair(flag: string, text: string, toValue: (raw: string, name: string) => unknown): VarPair {
  const equals = text.indexOf("=");
  if (equals < 0)
    throw new VarFlagError(`invalid variable pair ${JSON.stringify(text)} for ${flag} (must be name=value)`);
  const name = text.slice(0, equals);
  return { ref: parseVarRef(name), value: toValue(text.slice(equals + 1), name) };
}

const yamlValue = (flag: string) => (raw: string, name: string) =>
  parseYaml(raw, () => `${flag} ${name}: the value is not valid YAML`);

const pairsOf = (
  flag: string,
  texts: readonly string[] | undefined,
  toValue: (raw: string, name: string) => unknown,
) => (texts ?? []).map((text) => parsePair(flag, text, toValue));

async function varFileSource(file: string, readFile: (path: string) => Promise<string>): Promise<VarSource> {
  let text: string;
  try {
    text = await readFile(file);
  } catch (err) {
    throw new VarFlagError(`could not read vars file ${file} (-l): ${(err as Error).message}`, {
      cause: err,
    });
  }
  const vars = parseYaml(text, () => `could not parse vars file ${file} (-l)`) ?? {};
  if (!isMap(vars)) throw new VarFlagError(`vars file ${file} (-l) must hold a map of var names to values`);
  return staticVarSource(vars, `vars file ${file} (-l)`);
}

export async function varsFromFlags(
  flags: SetPipelineVarFlags,
  readFile: (path: string) => Promise<string> = (path) => readFileFromDisk(path, "utf8"),
): Promise<FlagVars> {
  const instanceVars = expandPairs(pairsOf("-i", flags.instanceVars, yamlValue("-i")));
  const flagPairs = [
    ...pairsOf("-v", flags.vars, (raw) => raw),
    ...pairsOf("-y", flags.yamlVars, yamlValue("-y")),
    ...flattenVars(instanceVars),
  ];
  const files = await Promise.all((flags.varFiles ?? []).map((file) => varFileSource(file, readFile)));
  const flagSource = staticVarSource(expandPairs(flagPairs), "set-pipeline flags (-v/-y/-i)");
  return { source: chainVarSources([flagSource, ...files.reverse()]), instanceVars };
}
