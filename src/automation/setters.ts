/**
 * Applies image policy results to YAML text through the `yaml` package's CST, so that everything
 * but the changed scalars stays byte for byte as the user wrote it: comments, indentation, quoting,
 * line endings, anchors, document markers, a byte order mark.
 *
 * A marked scalar is a plain or quoted scalar followed, on its own line, by a marker comment (see
 * marker.ts). Its new value keeps the scalar's quote style; a plain scalar whose new value would
 * read back as something other than a string (`1.10`, `yes`, `2024-01-01`) is double-quoted, as
 * Flux does.
 */
import { lstat, readdir, readFile, realpath, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  Composer,
  CST,
  isCollection,
  isMap,
  isScalar,
  LineCounter,
  parse,
  Parser,
  visit,
  type Document,
  type Scalar,
} from "yaml";
import {
  fieldValue,
  parseMarkerComment,
  type InvalidMarker,
  type Marker,
  type PolicyMap,
  type SetterField,
} from "./marker.ts";
import { automatedContainers, workloadIdString, workloadPolicyName } from "./workload-images.ts";

export {
  fieldValue,
  imageReference,
  parseMarkerComment,
  parseSetter,
  setterShortHand,
  type Marker,
  type PolicyImage,
  type PolicyMap,
  type SetterField,
} from "./marker.ts";

/** The Kubernetes object a change was made in; empty strings where the document has no such field. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

export interface SetterChange {
  /** 1-based line and column of the scalar. */
  readonly line: number;
  readonly column: number;
  /** `"<namespace>:<name>"` of the policy. */
  readonly policy: string;
  /** The marker's value as written, e.g. `flux-system:podinfo:tag` (Flux's `Change.Setter`). */
  readonly setter: string;
  readonly field: SetterField;
  readonly from: string;
  readonly to: string;
  /** The policy's image, full reference (`name:tag[@digest]`), whatever field was written. */
  readonly image: string;
  readonly object: ObjectRef;
}

export type SkipReason = "unknown-policy" | "invalid-marker" | "no-value" | "not-on-scalar";

/** A marker that changed nothing and was not simply up to date. */
export interface SkippedMarker {
  readonly line: number;
  readonly column: number;
  /** The marker's value, or "" when it could not be read. */
  readonly setter: string;
  readonly reason: SkipReason;
  readonly message: string;
}

export interface SetterResult {
  /** The edited text; the very string passed in when nothing changed. */
  readonly text: string;
  readonly changes: readonly SetterChange[];
  readonly skipped: readonly SkippedMarker[];
}

/** YAML that does not parse; files that fail so are left alone. */
export class SetterParseError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(`${line}:${column}: ${message}`);
    this.name = "SetterParseError";
    this.line = line;
    this.column = column;
  }
}

export interface SetterOptions {
  /**
   * Also set the images of Flux v1 automated workloads (see workload-images.ts), from the policies
   * of this namespace named by `workloadPolicyName`.
   */
  readonly workloadPolicyNamespace?: string | undefined;
}

/** Whether `text` may hold anything the setters change. */
function mayNeedSetting(text: string | Buffer, options: SetterOptions): boolean {
  return (
    text.includes("$imagepolicy") ||
    (options.workloadPolicyNamespace !== undefined && text.includes("/automated"))
  );
}

/**
 * Applies `policies` to every marked scalar in `text` (any number of documents), and to the images
 * of v1 automated workloads when asked. Throws a SetterParseError when a text that may need setting
 * is not valid YAML.
 */
export function applySetters(text: string, policies: PolicyMap, options: SetterOptions = {}): SetterResult {
  if (!mayNeedSetting(text, options)) return { text, changes: [], skipped: [] };
  const parsed = parseStream(text);
  const changes: SetterChange[] = [];
  const skipped: SkippedMarker[] = [];
  const used = new Set<number>();
  for (const doc of parsed.docs) {
    const object = objectOf(doc);
    visit(doc, {
      Scalar(_key, node, ancestors) {
        const found = markerAfter(parsed, node);
        if (found === undefined) return;
        used.add(found.comment.offset);
        const inFlow = ancestors.some((a) => isCollection(a) && a.flow === true);
        const outcome = applyOne(parsed, node, found.marker, policies, { object, inFlow });
        if (outcome === undefined) return;
        if ("reason" in outcome) skipped.push(outcome);
        else changes.push(outcome);
      },
    });
    if (options.workloadPolicyNamespace !== undefined) {
      for (const target of automatedContainers(doc)) {
        // the marker decides
        if (target.fields.some(({ node }) => markerAfter(parsed, node) !== undefined)) continue;
        const policy = `${options.workloadPolicyNamespace}:${workloadPolicyName(target.workload, target.container)}`;
        for (const { node, field } of target.fields) {
          const setter = `${workloadIdString(target.workload)}:${target.container}${field === "image" ? "" : `:${field}`}`;
          const marker: Marker = { setter, policy, field };
          const outcome = applyOne(parsed, node, marker, policies, { object, inFlow: false });
          if (outcome === undefined) continue;
          if ("reason" in outcome) skipped.push(outcome);
          else changes.push(outcome);
        }
      }
    }
  }
  skipped.push(...unattachedMarkers(parsed, used));
  skipped.sort((a, b) => a.line - b.line || a.column - b.column);
  if (changes.length === 0) return { text, changes, skipped };
  return { text: parsed.tokens.map((t) => CST.stringify(t)).join(""), changes, skipped };
}

interface ParsedStream {
  readonly text: string;
  readonly tokens: readonly CST.Token[];
  readonly docs: readonly Document.Parsed[];
  readonly lines: LineCounter;
  /** Every comment token, by offset. */
  readonly comments: ReadonlyMap<number, CST.SourceToken>;
}

function parseStream(text: string): ParsedStream {
  const lines = new LineCounter();
  const tokens = [...new Parser(lines.addNewLine).parse(text)];
  const composer = new Composer({ keepSourceTokens: true });
  const docs = [...composer.compose(tokens, false, text.length)];
  const errors = [...docs.flatMap((d) => d.errors), ...composer.streamInfo().errors];
  const first = errors[0];
  if (first !== undefined) {
    const { line, col } = lines.linePos(first.pos[0]);
    throw new SetterParseError(first.message.split("\n")[0] ?? first.message, line, col);
  }
  const comments = new Map<number, CST.SourceToken>();
  collectComments(tokens, comments);
  return { text, tokens, docs, lines, comments };
}

/** Walks any CST structure and records its comment tokens. */
function collectComments(value: unknown, into: Map<number, CST.SourceToken>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectComments(item, into);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const token = value as { type?: unknown; offset?: unknown; source?: unknown };
  if (token.type === "comment" && typeof token.offset === "number" && typeof token.source === "string") {
    into.set(token.offset, value as CST.SourceToken);
    return;
  }
  for (const child of Object.values(value)) {
    if (typeof child === "object" && child !== null) collectComments(child, into);
  }
}

type FlowScalarToken = CST.FlowScalar;

function flowToken(node: Scalar): FlowScalarToken | undefined {
  const token = node.srcToken;
  if (token === undefined) return undefined;
  switch (token.type) {
    case "scalar":
    case "single-quoted-scalar":
    case "double-quoted-scalar":
      return token;
    default:
      return undefined;
  }
}

/** The marker comment that follows `node` on its line, if any. */
function markerAfter(
  parsed: ParsedStream,
  node: Scalar,
): { comment: CST.SourceToken; marker: Marker | InvalidMarker } | undefined {
  const token = flowToken(node);
  if (token === undefined) return undefined;
  let at = token.offset + token.source.length;
  const start = at;
  while (parsed.text[at] === " " || parsed.text[at] === "\t") at++;
  if (at === start) return undefined;
  const comment = parsed.comments.get(at);
  if (comment === undefined) return undefined;
  const marker = parseMarkerComment(comment.source);
  return marker === undefined ? undefined : { comment, marker };
}

interface Context {
  readonly object: ObjectRef;
  readonly inFlow: boolean;
}

function applyOne(
  parsed: ParsedStream,
  node: Scalar,
  marker: Marker | InvalidMarker,
  policies: PolicyMap,
  context: Context,
): SetterChange | SkippedMarker | undefined {
  const token = flowToken(node);
  if (token === undefined) return undefined;
  const { line, col: column } = parsed.lines.linePos(token.offset);
  const skip = (reason: SkipReason, message: string, setter: string): SkippedMarker => ({
    line,
    column,
    setter,
    reason,
    message,
  });
  if ("invalid" in marker) return skip("invalid-marker", marker.invalid, marker.setter);
  const image = policies.get(marker.policy);
  if (image === undefined) {
    return skip("unknown-policy", `no image policy "${marker.policy}" is in scope`, marker.setter);
  }
  const to = fieldValue(image, marker.field);
  if (to === undefined) {
    return skip("no-value", `policy "${marker.policy}" has no ${marker.field} to write`, marker.setter);
  }
  const from = CST.resolveAsScalar(token)?.value ?? "";
  if (from === to) return undefined;
  setScalar(token, to, context.inFlow);
  return {
    line,
    column,
    policy: marker.policy,
    setter: marker.setter,
    field: marker.field,
    from,
    to,
    image: fieldValue(image, "image") ?? "",
    object: context.object,
  };
}

/** Replaces the token's value, keeping its quote style unless the value needs quoting. */
function setScalar(token: FlowScalarToken, value: string, inFlow: boolean): void {
  const type = token.type === "scalar" && readsAsOtherThanString(value) ? "QUOTE_DOUBLE" : undefined;
  CST.setScalarValue(token, value, type === undefined ? { inFlow } : { inFlow, type });
  const check = CST.resolveAsScalar(token);
  if (check?.value !== value) {
    throw new Error(`internal error: rewriting a scalar to ${JSON.stringify(value)} did not read back`);
  }
}

/** Whether a plain scalar holding `value` would be read as a non-string by YAML 1.1 or 1.2. */
function readsAsOtherThanString(value: string): boolean {
  for (const version of ["1.1", "1.2"] as const) {
    try {
      if (parse(value, { version, logLevel: "silent" }) !== value) return true;
    } catch {
      return true;
    }
  }
  return false;
}

function objectOf(doc: Document.Parsed): ObjectRef {
  const contents = doc.contents;
  if (!isMap(contents)) return { apiVersion: "", kind: "", name: "", namespace: "" };
  const str = (value: unknown): string =>
    isScalar(value) && typeof value.value === "string" ? value.value : "";
  const metadata = contents.get("metadata", true);
  const meta = (key: string): string => (isMap(metadata) ? str(metadata.get(key, true)) : "");
  return {
    apiVersion: str(contents.get("apiVersion", true)),
    kind: str(contents.get("kind", true)),
    name: meta("name"),
    namespace: meta("namespace"),
  };
}

/** Marker comments that do not follow a scalar on its line (own line, after a key, after a block scalar header). */
function unattachedMarkers(parsed: ParsedStream, used: ReadonlySet<number>): SkippedMarker[] {
  const out: SkippedMarker[] = [];
  for (const [offset, comment] of parsed.comments) {
    if (used.has(offset)) continue;
    const marker = parseMarkerComment(comment.source);
    if (marker === undefined) continue;
    const { line, col } = parsed.lines.linePos(offset);
    out.push({
      line,
      column: col,
      setter: marker.setter,
      reason: "not-on-scalar",
      message: "the marker does not follow a plain or quoted scalar on the same line",
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Trees of files

export interface TreeOptions {
  /** Directory (or single file) to update, relative to the tree's root; the root by default. */
  readonly path?: string | undefined;
  /** Compute the changes without writing them. */
  readonly dryRun?: boolean | undefined;
  readonly setters?: SetterOptions | undefined;
}

export interface FileResult {
  /** Relative to the update path, `/`-separated: the file names Flux gives commit templates. */
  readonly file: string;
  /** Relative to the tree's root, `/`-separated: for `git add`. */
  readonly repoPath: string;
  readonly changes: readonly SetterChange[];
}

export interface TreeResult {
  /** Files that changed, sorted by path. */
  readonly files: readonly FileResult[];
  readonly changes: readonly (SetterChange & { readonly file: string })[];
  readonly skipped: readonly (SkippedMarker & { readonly file: string })[];
  /** Files that mention `$imagepolicy` but could not be edited; they are left untouched. */
  readonly problems: readonly { readonly file: string; readonly message: string }[];
}

/** The update path leaves the tree, or does not exist. */
export class UpdatePathError extends Error {
  readonly path: string;
  constructor(updatePath: string, message: string) {
    super(`update path "${updatePath}": ${message}`);
    this.name = "UpdatePathError";
    this.path = updatePath;
  }
}

const kustomizationNames: ReadonlySet<string> = new Set(["Kustomization"]);

function isCandidate(name: string): boolean {
  return name.endsWith(".yaml") || name.endsWith(".yml") || kustomizationNames.has(name);
}

/**
 * Applies `policies` to the YAML files under `options.path` of `dir` and writes back only the
 * files that changed. Symbolic links are never followed, `.git` is skipped, and an update path
 * that leaves `dir` (by `..` or through a link) is refused with an UpdatePathError.
 */
export async function applySettersToTree(
  dir: string,
  policies: PolicyMap,
  options: TreeOptions = {},
): Promise<TreeResult> {
  const root = await realpath(dir);
  const start = await resolveUpdatePath(root, options.path ?? ".");
  const files: FileResult[] = [];
  const changes: (SetterChange & { file: string })[] = [];
  const skipped: (SkippedMarker & { file: string })[] = [];
  const problems: { file: string; message: string }[] = [];
  const base = (await lstat(start)).isDirectory() ? start : path.dirname(start);
  for (const absolute of await listCandidates(start)) {
    const file = toSlash(path.relative(base, absolute));
    const repoPath = toSlash(path.relative(root, absolute));
    const outcome = await updateFile(absolute, policies, options.dryRun === true, options.setters ?? {});
    if ("problem" in outcome) {
      problems.push({ file, message: outcome.problem });
      continue;
    }
    skipped.push(...outcome.skipped.map((s) => ({ ...s, file })));
    if (outcome.changes.length === 0) continue;
    files.push({ file, repoPath, changes: outcome.changes });
    changes.push(...outcome.changes.map((c) => ({ ...c, file })));
  }
  return { files, changes, skipped, problems };
}

async function resolveUpdatePath(root: string, updatePath: string): Promise<string> {
  const target = path.resolve(root, updatePath);
  if (!isWithin(root, target)) throw new UpdatePathError(updatePath, "leaves the repository");
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    throw new UpdatePathError(updatePath, "does not exist");
  }
  if (!isWithin(root, real)) throw new UpdatePathError(updatePath, "leaves the repository through a link");
  return real;
}

function isWithin(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

function toSlash(p: string): string {
  return p.split(path.sep).join("/");
}

/** Candidate files under `start` (itself when a file), sorted; links and `.git` are skipped. */
async function listCandidates(start: string): Promise<string[]> {
  const info = await lstat(start);
  if (!info.isDirectory()) return info.isFile() ? [start] : [];
  const out: string[] = [];
  const entries = await readdir(start, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(start, entry.name);
    if (entry.isDirectory() && entry.name !== ".git") out.push(...(await listCandidates(full)));
    else if (entry.isFile() && isCandidate(entry.name)) out.push(full);
  }
  return out;
}

async function updateFile(
  file: string,
  policies: PolicyMap,
  dryRun: boolean,
  options: SetterOptions,
): Promise<SetterResult | { problem: string }> {
  const bytes = await readFile(file);
  if (!mayNeedSetting(bytes, options)) return { text: "", changes: [], skipped: [] };
  const text = bytes.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(bytes)) return { problem: "the file is not valid UTF-8" };
  let result: SetterResult;
  try {
    result = applySetters(text, policies, options);
  } catch (err) {
    if (err instanceof SetterParseError) return { problem: `invalid YAML at ${err.message}` };
    throw err;
  }
  if (result.text !== text && !dryRun) await writeFile(file, result.text, "utf8");
  return result;
}
