/** fly's `-v/-y/-i/-l` var flags, shared by the `sluice ci` verbs that read a pipeline. */
import type { Command } from "commander";
import type { SetPipelineVarFlags } from "../../ci/vars/flag-vars.ts";
import { collectRepeated } from "../shared/flags.ts";

/** The options `addVarFlags` defines, as commander names them. */
export interface VarFlagOptions {
  var?: string[];
  yamlVar?: string[];
  instanceVar?: string[];
  loadVarsFrom?: string[];
}

/** `-v`, `-y` and `-l`: the var flags of every verb (`execute` has no instance vars: its `-i` is an input). */
export function addValueVarFlags(cmd: Command): Command {
  return cmd
    .option("-v, --var <name=string>", "a string value for a var (repeatable)", collectRepeated)
    .option("-y, --yaml-var <name=yaml>", "a YAML value for a var (repeatable)", collectRepeated)
    .option(
      "-l, --load-vars-from <file>",
      "a YAML file of vars; a later file wins over an earlier one, flags over every file (repeatable)",
      collectRepeated,
    );
}

export function addVarFlags(cmd: Command): Command {
  return addValueVarFlags(cmd).option(
    "-i, --instance-var <name=yaml>",
    "a YAML value for an instance var; it also names the pipeline instance (repeatable)",
    collectRepeated,
  );
}

/** The commander options of `addVarFlags` as `varsFromFlags` takes them. */
export function varFlagsOf(options: VarFlagOptions): SetPipelineVarFlags {
  return {
    vars: options.var ?? [],
    yamlVars: options.yamlVar ?? [],
    instanceVars: options.instanceVar ?? [],
    varFiles: options.loadVarsFrom ?? [],
  };
}
