import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { GitError, hardenedGitEnv, runGit } from "../git/exec.ts";

/** One entry of a recursive `git ls-tree`: a blob (file or symlink) or a gitlink (submodule). */
export interface TreeEntry {
  path: string;
  mode: string;
  type: string;
  oid: string;
  /** Blob size in bytes; undefined for gitlinks. */
  size: number | undefined;
}

const maxTreeListingBytes = 256 * 1024 * 1024;
const objectIdPattern = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Every blob and gitlink of `treeish` in the repository at `repoDir`, read from the object store. */
export async function listTree(
  repoDir: string,
  treeish: string,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<TreeEntry[]> {
  const { stdout } = await runGit(["ls-tree", "-r", "-z", "-l", "--full-tree", "--end-of-options", treeish], {
    cwd: repoDir,
    maxOutputBytes: maxTreeListingBytes,
    ...(options.signal && { signal: options.signal }),
  });
  return stdout
    .split("\0")
    .filter((record) => record !== "")
    .map(parseTreeRecord);
}

/** "<mode> SP <type> SP <oid> SP+ <size> TAB <path>" */
function parseTreeRecord(record: string): TreeEntry {
  const tab = record.indexOf("\t");
  const [mode, type, oid, size] = record.slice(0, tab).split(/ +/);
  if (tab === -1 || !mode || !type || !oid || size === undefined)
    throw new Error(`unexpected git ls-tree output: ${JSON.stringify(record.slice(0, 200))}`);
  return { path: record.slice(tab + 1), mode, type, oid, size: size === "-" ? undefined : Number(size) };
}

interface ObjectInProgress {
  oid: string;
  type: string;
  content: Buffer;
  filled: number;
}

export type CatFileResult = { oid: string; type: string; content: Buffer } | { oid: string; missing: true };

/**
 * Parses the stdout of `git cat-file --batch` as it arrives: "<oid> <type> <size>\n<content>\n"
 * per object, or "<oid> missing\n". Object contents are copied once into a buffer of their size.
 */
export class CatFileParser {
  readonly #onObject: (result: CatFileResult) => void;
  #headerChunks: Buffer[] = [];
  #body: ObjectInProgress | undefined;

  constructor(onObject: (result: CatFileResult) => void) {
    this.#onObject = onObject;
  }

  push(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0)
      rest = this.#body ? this.#consumeBody(this.#body, rest) : this.#consumeHeader(rest);
  }

  #consumeHeader(chunk: Buffer): Buffer {
    const newline = chunk.indexOf(0x0a);
    if (newline === -1) {
      this.#headerChunks.push(chunk);
      return Buffer.alloc(0);
    }
    const line = Buffer.concat([...this.#headerChunks, chunk.subarray(0, newline)]).toString("utf8");
    this.#headerChunks = [];
    const [oid = "", type = "", size] = line.split(" ");
    if (size === undefined) this.#onObject({ oid, missing: true });
    else this.#body = { oid, type, content: Buffer.allocUnsafe(Number(size)), filled: 0 };
    return chunk.subarray(newline + 1);
  }

  /** Copies content, then consumes the newline that ends it. */
  #consumeBody(body: ObjectInProgress, chunk: Buffer): Buffer {
    const wanted = body.content.length - body.filled;
    if (wanted > 0) {
      const copied = chunk.copy(body.content, body.filled, 0, Math.min(wanted, chunk.length));
      body.filled += copied;
      return chunk.subarray(copied);
    }
    if (chunk[0] !== 0x0a) throw new Error("git cat-file: object content not followed by a newline");
    this.#body = undefined;
    this.#onObject({ oid: body.oid, type: body.type, content: body.content });
    return chunk.subarray(1);
  }
}

interface PendingRead {
  oid: string;
  resolve: (content: Buffer) => void;
  reject: (err: Error) => void;
}

/**
 * Reads blobs through one long-lived `git cat-file --batch` process. Reads may overlap: requests
 * are written as they come and answers arrive in the same order.
 */
export class BlobReader {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #pending: PendingRead[] = [];
  readonly #exited: Promise<void>;
  #stderr = "";
  #failure: Error | undefined;

  constructor(repoDir: string, options: { signal?: AbortSignal | undefined } = {}) {
    this.#child = spawn("git", ["cat-file", "--batch"], {
      cwd: repoDir,
      env: hardenedGitEnv(),
      stdio: "pipe",
    });
    const parser = new CatFileParser((result) => this.#settle(result));
    this.#child.stdout.on("data", (chunk: Buffer) => this.#guard(() => parser.push(chunk)));
    this.#child.stderr.on(
      "data",
      (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString()).slice(-4096)),
    );
    this.#child.stdin.on("error", () => {}); // git exiting early shows up as the exit below.
    this.#exited = new Promise((resolve) => {
      this.#child.on("error", (err) => this.#fail(new GitError(this.#errorInit("spawn", null, err.message))));
      this.#child.on("close", (code) => {
        this.#fail(new GitError(this.#errorInit("exit", code, this.#stderr || "exited while reading")));
        resolve();
      });
    });
    const onAbort = (): void => {
      this.#fail(new GitError(this.#errorInit("aborted", null, "")));
      this.#child.kill("SIGKILL");
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
    void this.#exited.then(() => options.signal?.removeEventListener("abort", onAbort));
  }

  /** The content of blob `oid`; rejects when the object is missing or not a blob. */
  read(oid: string): Promise<Buffer> {
    if (!objectIdPattern.test(oid))
      return Promise.reject(new Error(`not an object id: ${JSON.stringify(oid)}`));
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#pending.push({ oid, resolve, reject });
      this.#child.stdin.write(`${oid}\n`);
    });
  }

  /** Ends the process; pending reads are answered first. */
  async close(): Promise<void> {
    this.#child.stdin.end();
    await this.#exited;
  }

  #settle(result: CatFileResult): void {
    const request = this.#pending.shift();
    if (!request) throw new Error("git cat-file answered an object nobody asked for");
    if ("missing" in result)
      request.reject(new Error(`object ${request.oid} is missing from the repository`));
    else if (result.type !== "blob")
      request.reject(new Error(`object ${request.oid} is a ${result.type}, not a blob`));
    else request.resolve(result.content);
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#fail(err as Error);
      this.#child.kill("SIGKILL");
    }
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const request of this.#pending.splice(0)) request.reject(this.#failure);
  }

  #errorInit(reason: "spawn" | "exit" | "aborted", exitCode: number | null, stderr: string) {
    return { verb: "cat-file", reason, exitCode, stderr: stderr.trim() } as const;
  }
}
