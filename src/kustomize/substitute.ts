import type { KubeObject } from "../kube/objects.ts";
import { EnvsubstError, VariableNotSetError, envsubst } from "./envsubst.ts";
import { SubstitutionError, VariablesNotFoundError } from "./errors.ts";
import { isPlainObject, parseYaml, stringifyYaml } from "./yaml.ts";

export const substituteKey = "kustomize.toolkit.fluxcd.io/substitute";
export const substituteDisabled = "disabled";

export type VariableSourceKind = "ConfigMap" | "Secret";

export interface SubstituteReference {
  kind: VariableSourceKind;
  name: string;
  optional?: boolean | undefined;
}

export interface PostBuild {
  substitute?: Readonly<Record<string, string>> | undefined;
  substituteFrom?: readonly SubstituteReference[] | undefined;
}

/**
 * The data of a ConfigMap or of a Secret (decoded to text) in the Kustomization's namespace;
 * undefined when it does not exist. Other failures reject.
 */
export type VariableLookup = (
  kind: VariableSourceKind,
  name: string,
) => Promise<Readonly<Record<string, string>> | undefined>;

/** The shape Flux validates variable names with: `^[_[:alpha:]][_[:alpha:][:digit:]]*$` (ASCII). */
export const variableNamePattern = /^[_A-Za-z][_A-Za-z0-9]*$/;

export type Variables = Readonly<Record<string, string>>;

/**
 * The variables of a postBuild: `substituteFrom` in order (later sources override earlier ones),
 * then `substitute` over all. An absent source is skipped when optional and fails otherwise
 * ({@link VariablesNotFoundError}); a key that is not a valid variable name fails, naming its source.
 * Newlines are removed from values, as Flux does.
 */
export async function resolveVariables(postBuild: PostBuild, lookup: VariableLookup): Promise<Variables> {
  const variables = new Map<string, string>();
  for (const reference of postBuild.substituteFrom ?? []) {
    const data = await lookup(reference.kind, reference.name);
    if (data === undefined) {
      if (reference.optional) continue;
      throw new VariablesNotFoundError(reference.kind, reference.name);
    }
    addVariables(variables, data, `${reference.kind} '${reference.name}'`);
  }
  addVariables(variables, postBuild.substitute ?? {}, "postBuild.substitute");
  return Object.fromEntries(variables);
}

function addVariables(variables: Map<string, string>, data: Variables, source: string): void {
  for (const [name, value] of Object.entries(data)) {
    if (!variableNamePattern.test(name))
      throw new SubstitutionError(
        `${source}: '${name}' is not a valid variable name; it must match ${variableNamePattern.source}`,
      );
    variables.set(name, value.replaceAll("\n", ""));
  }
}

export interface SubstituteOptions {
  /** Fail on `${var}` without a default when var is not defined (Flux's StrictPostBuildSubstitutions). */
  strict?: boolean | undefined;
}

/**
 * Post-build substitution over built objects, as Flux does it: nothing happens without variables;
 * objects labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled` are kept as
 * they are; every other object is printed as YAML, substituted as text and parsed again.
 */
export function substituteObjects(
  objects: readonly KubeObject[],
  variables: Variables,
  options: SubstituteOptions = {},
): KubeObject[] {
  if (Object.keys(variables).length === 0) return [...objects];
  for (const name of Object.keys(variables)) {
    if (!variableNamePattern.test(name))
      throw new SubstitutionError(
        `'${name}' is not a valid variable name; it must match ${variableNamePattern.source}`,
      );
  }
  return objects.map((object) =>
    substitutionDisabled(object) ? object : substituteObject(object, variables, options),
  );
}

export function substitutionDisabled(object: KubeObject): boolean {
  return (
    object.metadata.labels?.[substituteKey] === substituteDisabled ||
    object.metadata.annotations?.[substituteKey] === substituteDisabled
  );
}

/** One object through print, substitute, parse; a {@link SubstitutionError} names it on failure. */
export function substituteObject(
  object: KubeObject,
  variables: Variables,
  options: SubstituteOptions = {},
): KubeObject {
  const text = stringifyYaml(object);
  const id = objectId(object);
  let substituted: string;
  try {
    substituted = envsubst(
      text,
      (name) => (Object.hasOwn(variables, name) ? variables[name] : undefined),
      options,
    );
  } catch (err) {
    if (err instanceof EnvsubstError) throw new SubstitutionError(describeEnvsubstError(err, object), id);
    throw err;
  }
  if (substituted === text) return object;
  let parsed: unknown;
  try {
    parsed = parseYaml(substituted);
  } catch (err) {
    throw new SubstitutionError(`not valid YAML after variable substitution: ${(err as Error).message}`, id);
  }
  if (!isPlainObject(parsed) || !isPlainObject(parsed["metadata"]))
    throw new SubstitutionError("not a Kubernetes object after variable substitution", id);
  return parsed as KubeObject;
}

function describeEnvsubstError(err: EnvsubstError, object: KubeObject): string {
  if (err instanceof VariableNotSetError) return `${err.message} (strict post-build substitution)`;
  // A Secret's text may hold secret values: name the problem, not the text.
  const where = object.kind === "Secret" ? "" : ` in '${err.expression}'`;
  return `variable substitution failed: ${err.message}${where}`;
}

/** Kind/namespace/name, or Kind/name for cluster-scoped objects. */
export function objectId(object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${object.kind}/${namespace}/${name ?? ""}` : `${object.kind}/${name ?? ""}`;
}
