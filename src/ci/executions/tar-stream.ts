/**
 * Directories over HTTP as gzipped tars, streamed through the system's `tar` (GNU tar refuses
 * member names that climb out with `..` and never follows a link it extracted). Used both by
 * `sluice ci execute` and by the server that runs the execution.
 */
import { spawn } from "node:child_process";
import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { TailBuffer } from "../../process/output.ts";

export class TarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TarError";
  }
}

function tar(args: string[], stdin: "pipe" | "ignore") {
  const child = spawn("tar", args, { stdio: [stdin, "pipe", "pipe"] });
  const stderr = new TailBuffer(4096);
  child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<void>((resolve, reject) => {
    child.once("error", (error) => reject(new TarError(`tar: ${error.message}`)));
    child.once("close", (code) =>
      code === 0
        ? resolve()
        : reject(new TarError(`tar ${args[0]} failed (${code}): ${stderr.text().trim()}`)),
    );
  });
  return { child, exited };
}

/** `dir`'s contents as a gzipped tar; `done` settles when tar has finished. */
export function packDirectory(dir: string): { stream: Readable; done: Promise<void> } {
  const { child, exited } = tar(["-c", "-z", "-C", dir, "."], "ignore");
  // piped at once: Node drains a child's unread stdout when it exits, so a reader that starts
  // later (after a connection opens) would otherwise get nothing
  return { stream: child.stdout!.pipe(new PassThrough()), done: exited };
}

/** Extracts a gzipped tar from `input` into the existing directory `dir`. */
export async function unpackInto(dir: string, input: Readable): Promise<void> {
  const { child, exited } = tar(["-x", "-z", "-C", dir, "--no-same-owner", "--no-same-permissions"], "pipe");
  child.stdout!.resume();
  const [piped, extracted] = await Promise.allSettled([pipeline(input, child.stdin!), exited]);
  // tar's own complaint (not gzip, a bad member) explains more than the broken pipe it causes
  if (extracted.status === "rejected") throw extracted.reason;
  if (piped.status === "rejected") throw piped.reason;
}
