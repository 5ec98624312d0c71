/**
 * A CI file of a project (`.gitlab-ci.yml`, a workflow) read with the lines of its keys, so that
 * every error can name file, line and key. GitLab's `!reference [job, key]` tag is kept as a
 * marker object (`referenceKey`) that the GitLab loader resolves once every file is merged.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from "yaml";
import { boundedToJS, checkYamlSize, YamlLimitError } from "../../common/yaml-bounds.ts";
import type { z } from "zod";
import { formatPath } from "../pipeline/issues.ts";
import { translateZodIssues } from "../pipeline/zod-issues.ts";

export const referenceKey = "!reference";

export type KeyPath = readonly (string | number)[];

/** A problem in a CI file, found before anything runs. */
export class CiFileError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  readonly key: string;

  constructor(at: { file: string; line?: number | undefined; key?: KeyPath }, message: string) {
    const key = formatPath(at.key ?? []);
    const where = at.line === undefined ? at.file : `${at.file}:${at.line}`;
    super(`${where}: ${key === "" ? "" : `${key}: `}${message}`);
    this.name = "CiFileError";
    this.file = at.file;
    this.line = at.line;
    this.key = key;
  }
}

export interface CiFile {
  /** The file's path as errors name it (relative to the repository). */
  name: string;
  value: unknown;
  /** The line (1-based) of the key or item at `path`, when the file has it. */
  lineOf(path: KeyPath): number | undefined;
}

function nodeAt(document: Document, path: KeyPath): { node: Node | undefined; offset: number } | undefined {
  let node: unknown = document.contents;
  let offset = 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) return undefined;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
      offset = (node as Node | undefined)?.range?.[0] ?? offset;
    } else return undefined;
  }
  return { node: node as Node | undefined, offset };
}

/** Reads `text` as the file `name`; a YAML error is a CiFileError with its line. */
export function readCiFile(name: string, text: string): CiFile {
  const lines = new LineCounter();
  let document: Document;
  try {
    checkYamlSize(text, name);
    document = parseDocument(text, {
      merge: true,
      uniqueKeys: true,
      lineCounter: lines,
      prettyErrors: false,
    });
  } catch (error) {
    if (error instanceof YamlLimitError) throw new CiFileError({ file: name }, error.message);
    throw error;
  }
  const first = document.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line ?? lines.linePos(first.pos[0]).line;
    throw new CiFileError({ file: name, line }, first.message.split("\n")[0]!);
  }
  visit(document, {
    Seq(_, node) {
      if (node.tag === "!reference") return document.createNode({ [referenceKey]: node.toJSON() });
    },
  });
  let value: unknown;
  try {
    value = boundedToJS(document, name);
  } catch (error) {
    if (error instanceof YamlLimitError) throw new CiFileError({ file: name }, error.message);
    throw error;
  }
  return {
    name,
    value,
    lineOf: (path) => {
      const found = nodeAt(document, path);
      return found ? lines.linePos(found.offset).line : undefined;
    },
  };
}

/** Finds where a key path was written: the last file that has it, else its nearest parent. */
export class Locator {
  readonly #files: CiFile[];
  constructor(files: CiFile[]) {
    this.#files = files;
  }

  error(key: KeyPath, message: string): CiFileError {
    for (let length = key.length; length >= 0; length--) {
      const prefix = key.slice(0, length);
      for (const file of [...this.#files].reverse()) {
        const line = file.lineOf(prefix);
        if (line !== undefined) return new CiFileError({ file: file.name, line, key }, message);
      }
    }
    return new CiFileError({ file: this.#files[0]?.name ?? "the CI file", key }, message);
  }
}

/** `value` checked against `schema`; the first problem is a CiFileError at its key (unknown keys by name). */
export function validated<T>(schema: z.ZodType<T>, value: unknown, key: KeyPath, locate: Locator): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const first = result.error.issues[0]!;
  const at = [...key, ...(first.path as (string | number)[])];
  if (first.code === "unrecognized_keys")
    throw locate.error(
      [...at, first.keys[0]!],
      `unknown keyword ${first.keys.map((k) => JSON.stringify(k)).join(", ")}`,
    );
  throw locate.error(at, translateZodIssues([first], value)[0]!.message);
}
