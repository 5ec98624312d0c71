/** Reading `<artifact>/<path>` files that steps name (set_pipeline's file and var_files). */
import type { RunContext } from "../build/index.ts";

export class ArtifactFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArtifactFileError";
  }
}

export async function readArtifactText(ctx: RunContext, file: string, field: string): Promise<string> {
  const slash = file.indexOf("/");
  const artifact = file.slice(0, Math.max(slash, 0));
  const inside = file.slice(slash + 1);
  if (slash <= 0 || inside === "") {
    throw new ArtifactFileError(`${field} must be <artifact>/<path>, got ${JSON.stringify(file)}`);
  }
  if (!ctx.build.artifacts.has(artifact)) {
    throw new ArtifactFileError(`unknown artifact source: ${artifact} (in ${field} ${file})`);
  }
  const content = await ctx.build.artifacts.readFile(artifact, inside, ctx.signal);
  if (content === undefined) {
    throw new ArtifactFileError(`${field}: file '${inside}' not found within artifact '${artifact}'`);
  }
  return new TextDecoder().decode(content);
}
