import type { DevEnv } from "../../src/dev/env-file.ts";
import { generateImage, pushImage } from "../../src/oci/image.ts";
import { RegistryClient, type RegistryClientOptions } from "../../src/oci/registry-client.ts";

const defaultFiles = { "hello.txt": "hello from a sluice test\n" };

/** A client for the environment's registry (plain HTTP, with its credentials when it has them). */
export function testRegistryClient(env: DevEnv): RegistryClient {
  const options: RegistryClientOptions = { host: env.registry, insecure: true };
  if (env.registryUsername !== undefined && env.registryPassword !== undefined) {
    options.credentials = { username: env.registryUsername, password: env.registryPassword };
  }
  return new RegistryClient(options);
}

/**
 * Pushes a tiny generated image to `repository` under every tag. Different `files` give a
 * different digest, so a test can publish a "new version" by changing a file.
 */
export async function pushTestImage(
  env: DevEnv,
  repository: string,
  tags: string[],
  files: Record<string, string> = defaultFiles,
): Promise<{ digest: string }> {
  const client = testRegistryClient(env);
  try {
    return await pushImage(client, repository, tags, generateImage({ files }));
  } finally {
    await client.close();
  }
}
