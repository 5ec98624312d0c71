/** Image tarballs (`image.tar`) made and opened with the system's tar, streaming from and to disk. */
import { ProcessError, runProcess } from "../../../process/run.ts";
import { ResourceError } from "../resource.ts";

const tarTimeoutMs = 10 * 60_000;

/** Writes every entry of `dir` into the tarball `file`, paths relative to `dir`. */
export async function packTarball(dir: string, file: string, signal?: AbortSignal): Promise<void> {
  await tar(
    ["--create", "--file", file, "--directory", dir, "--owner=0", "--group=0", "--numeric-owner", "."],
    signal,
  );
}

/**
 * Extracts `file` into `dir`. GNU tar refuses members with `..` and strips leading slashes; links
 * are kept as links, so readers must open only regular files (see oci-layout.ts).
 */
export async function unpackTarball(
  file: string,
  dir: string,
  what: string,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await tar(
      ["--extract", "--file", file, "--directory", dir, "--no-same-owner", "--no-same-permissions"],
      signal,
    );
  } catch (error) {
    if (error instanceof ProcessError && error.failure === "exit") {
      throw new ResourceError("InvalidConfig", `${what} is not a readable tarball: ${error.message}`);
    }
    throw error;
  }
}

async function tar(args: string[], signal?: AbortSignal): Promise<void> {
  const env = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", LC_ALL: "C" };
  await runProcess("tar", args, { env, timeoutMs: tarTimeoutMs, signal });
}
