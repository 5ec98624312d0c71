/**
 * A pipeline file as fly's client reads it before validating or setting it: YAML (Concourse's
 * reading of it), then the vars of the `-v/-y/-i/-l` flags interpolated; vars no flag gives stay
 * as `((text))` for the server's credential manager.
 */
import { readFile } from "node:fs/promises";
import YAML from "yaml";
import { readYaml } from "../../ci/pipeline/index.ts";
import { varsFromFlags, type SetPipelineVarFlags } from "../../ci/vars/flag-vars.ts";
import { interpolate } from "../../ci/vars/interpolate.ts";
import { SluiceError } from "../../common/errors.ts";

async function readConfigFile(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem = code === "ENOENT" ? "no such file" : (err as Error).message;
    throw new SluiceError(`could not read pipeline config ${file}: ${problem}`, { cause: err });
  }
}

/** The pipeline document of `file` with the flags' vars in it. */
export async function evaluatePipelineTemplate(file: string, flags: SetPipelineVarFlags): Promise<unknown> {
  const yaml = readYaml(await readConfigFile(file));
  if (!yaml.ok) {
    // the first line only: what and where, not the excerpt of the file
    const problem = (yaml.errors[0] ?? "").split("\n")[0]!.replace(/:$/, "");
    throw new SluiceError(`${file} is not valid YAML: ${problem}`);
  }
  try {
    const { source } = await varsFromFlags(flags);
    return await interpolate(yaml.value, source, { keepUndefined: true });
  } catch (err) {
    // every error here is about the user's flags or vars: a value of the wrong type inside a
    // string, a missing field of a -l var, a key made twice by interpolation
    if (err instanceof Error) throw new SluiceError(err.message, { cause: err });
    throw err;
  }
}

/**
 * A pipeline document as YAML that Concourse's reading (YAML 1.2 with 1.1's booleans) and YAML
 * 1.1 readers such as fly both read back unchanged: a string such as `yes` or `1e3` is quoted.
 */
export function pipelineYaml(doc: unknown): string {
  return YAML.stringify(doc, { compat: "yaml-1.1", lineWidth: 0, aliasDuplicateObjects: false });
}
