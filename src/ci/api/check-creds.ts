/**
 * `set-pipeline --check-creds` (`PUT …/config?check_creds`): every `((var))` of the config must
 * resolve from the pipeline's credential manager before it is saved. Local vars (`((.:name))`,
 * set by load_var and across while a build runs) cannot be known yet and are not checked.
 */
import { readYaml } from "../pipeline/index.ts";
import { interpolate, UndefinedVarsError, VarTypeError } from "../vars/interpolate.ts";
import { localVarSource } from "../vars/reference.ts";
import { VarFieldError, VarLookupError, type VarSource } from "../vars/source.ts";
import { ApiError } from "./errors.ts";

const skippingLocalVars = (vars: VarSource): VarSource => ({
  lookup: (ref) => (ref.source === localVarSource ? Promise.resolve("local") : vars.lookup(ref)),
  lookedIn: (ref) => vars.lookedIn(ref),
});

export async function checkCredentials(vars: VarSource | undefined, configYaml: string): Promise<void> {
  if (!vars) throw new ApiError(400, "credentials check failed: this server has no credential manager");
  const doc = readYaml(configYaml);
  if (!doc.ok) return; // parsing reports it
  try {
    await interpolate(doc.value, skippingLocalVars(vars));
  } catch (error) {
    const known = [UndefinedVarsError, VarTypeError, VarFieldError, VarLookupError];
    if (!known.some((kind) => error instanceof kind)) throw error;
    throw new ApiError(400, `credentials check failed: ${(error as Error).message}`);
  }
}
