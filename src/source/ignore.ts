/**
 * Ignore rules for source artifacts, in the `.gitignore` pattern format, with the semantics Flux's
 * source-controller applies (it uses go-git's matcher, not git's):
 *
 * - a path is tested against every pattern, and the last pattern that matches the path or one of
 *   its parent directories decides; so an excluded directory excludes everything below it, but a
 *   later negation can re-include a path inside it (git itself cannot do the latter);
 * - a `.sourceignore` file applies to paths below its own directory;
 * - the VCS exclusions always apply first; the other defaults (images, archives, CI files, ...)
 *   apply only when no `.sourceignore` file and no `spec.ignore` holds a single pattern. That is
 *   what Flux does: both replace the default list rather than adding to it.
 */

/** Decides whether a path (relative to the source root, `/`-separated) is left out of an artifact. */
export type IgnoreMatcher = (path: string, isDir: boolean) => boolean;

export const sourceIgnoreFileName = ".sourceignore";

/** Always excluded (Flux `sourceignore.ExcludeVCS`). */
export const vcsExclusions: readonly string[] = [".git/", ".gitignore", ".gitmodules", ".gitattributes"];

/** Excluded unless ignore rules are given (Flux `ExcludeExt`, `ExcludeCI`, `ExcludeExtra`). */
export const defaultExclusions: readonly string[] = [
  ...["*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip"],
  ...[".github/", ".circleci/", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml"],
  ...["cloudbuild.yaml", "codeship-services.yml", "codeship-steps.yml"],
  ...["**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml"],
];

type Segment = { kind: "any-directories" } | { kind: "glob"; regex: RegExp | undefined };

export interface IgnorePattern {
  /** The pattern as written. */
  readonly source: string;
  /** Path components of the directory the pattern applies below ([] for the root). */
  readonly domain: readonly string[];
  readonly negated: boolean;
  readonly directoryOnly: boolean;
  /** A pattern with a `/` before its end matches from its domain; otherwise at any depth. */
  readonly anchored: boolean;
  readonly segments: readonly Segment[];
}

export interface IgnoreMatcherOptions {
  /** `spec.ignore`: highest priority; when it holds a pattern, the non-VCS defaults are dropped. */
  specIgnore?: string | undefined;
  /** Contents of `.sourceignore` files by the directory holding them ("" for the root). */
  sourceIgnoreFiles: ReadonlyMap<string, string>;
}

export function buildIgnoreMatcher(options: IgnoreMatcherOptions): IgnoreMatcher {
  const userPatterns = [
    ...sortByDirectory(options.sourceIgnoreFiles).flatMap(([dir, content]) =>
      parseIgnorePatterns(content, dir),
    ),
    ...(options.specIgnore === undefined ? [] : parseIgnorePatterns(options.specIgnore)),
  ];
  const defaults = userPatterns.length > 0 ? vcsExclusions : [...vcsExclusions, ...defaultExclusions];
  return matcherFor([...parseIgnorePatterns(defaults.join("\n")), ...userPatterns]);
}

/** A matcher over patterns given in increasing priority. */
export function matcherFor(patterns: readonly IgnorePattern[]): IgnoreMatcher {
  return (path, isDir) => {
    const parts = splitPath(path);
    for (let i = patterns.length - 1; i >= 0; i--) {
      const pattern = patterns[i];
      if (pattern && patternMatches(pattern, parts, isDir)) return !pattern.negated;
    }
    return false;
  };
}

/** Parses ignore-file content; `directory` is where the file sits, relative to the source root. */
export function parseIgnorePatterns(content: string, directory = ""): IgnorePattern[] {
  const domain = splitPath(directory);
  return content.split("\n").flatMap((line) => parseIgnoreLine(line, domain) ?? []);
}

function parseIgnoreLine(rawLine: string, domain: readonly string[]): IgnorePattern | undefined {
  const line = rawLine.replace(/\r$/, "").replace(/(?<!\\) +$/, "");
  if (line === "" || line.startsWith("#")) return undefined;
  const negated = line.startsWith("!");
  let body = negated ? line.slice(1) : line;
  const directoryOnly = body.endsWith("/");
  if (directoryOnly) body = body.slice(0, -1);
  const anchored = body.includes("/");
  const texts = body.split("/").filter((s) => s !== "");
  if (texts.length === 0) return undefined;
  const segments = texts.map((text): Segment =>
    anchored && text === "**" ? { kind: "any-directories" } : { kind: "glob", regex: compileGlob(text) },
  );
  return { source: rawLine, domain, negated, directoryOnly, anchored, segments };
}

function patternMatches(pattern: IgnorePattern, parts: readonly string[], isDir: boolean): boolean {
  const { domain } = pattern;
  if (parts.length <= domain.length || domain.some((d, i) => parts[i] !== d)) return false;
  const relative = parts.slice(domain.length);
  return pattern.anchored
    ? anchoredMatches(pattern, relative, isDir)
    : floatingMatches(pattern, relative, isDir);
}

/** A pattern without a slash matches a component at any depth: that path itself or a parent directory. */
function floatingMatches(pattern: IgnorePattern, parts: readonly string[], isDir: boolean): boolean {
  const segment = pattern.segments[0];
  if (segment?.kind !== "glob") return false;
  const index = parts.findIndex((part) => segment.regex?.test(part) === true);
  if (index === -1) return false;
  const isParentDirectory = index < parts.length - 1;
  return isParentDirectory || !pattern.directoryOnly || isDir;
}

/** An anchored pattern matches the path itself or one of its parent directories, from its domain. */
function anchoredMatches(pattern: IgnorePattern, parts: readonly string[], isDir: boolean): boolean {
  for (let end = 1; end <= parts.length; end++) {
    if (!segmentsMatch(pattern.segments, 0, parts, 0, end)) continue;
    const isParentDirectory = end < parts.length;
    if (isParentDirectory || !pattern.directoryOnly || isDir) return true;
  }
  return false;
}

/** `**` matches zero or more components, but at the end of a pattern at least one. */
function segmentsMatch(
  segments: readonly Segment[],
  si: number,
  parts: readonly string[],
  pi: number,
  end: number,
): boolean {
  const segment = segments[si];
  if (segment === undefined) return pi === end;
  if (segment.kind === "any-directories") {
    const minimum = si === segments.length - 1 ? 1 : 0;
    for (let next = pi + minimum; next <= end; next++) {
      if (segmentsMatch(segments, si + 1, parts, next, end)) return true;
    }
    return false;
  }
  const part = parts[pi];
  return pi < end && part !== undefined && segment.regex?.test(part) === true
    ? segmentsMatch(segments, si + 1, parts, pi + 1, end)
    : false;
}

function splitPath(path: string): string[] {
  return path.split("/").filter((part) => part !== "" && part !== ".");
}

/** Parents before children, siblings by name: the order Flux loads `.sourceignore` files in. */
function sortByDirectory(files: ReadonlyMap<string, string>): Array<[string, string]> {
  return [...files].sort(([a], [b]) => compareComponents(splitPath(a), splitPath(b)));
}

function compareComponents(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const order = Buffer.compare(Buffer.from(a[i] ?? ""), Buffer.from(b[i] ?? ""));
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

const posixClasses: Readonly<Record<string, string>> = {
  alnum: "\\p{L}\\p{N}",
  alpha: "\\p{L}",
  digit: "0-9",
  lower: "\\p{Ll}",
  upper: "\\p{Lu}",
  space: "\\s",
  xdigit: "0-9A-Fa-f",
  punct: "\\p{P}\\p{S}",
};

/**
 * One path component's glob as a regular expression: `*`, `?`, `[...]` (with `!`/`^` negation,
 * ranges and `[:class:]`), backslash escapes. `**` inside a component is a plain `*`. Undefined
 * for a malformed glob (unclosed `[`, trailing `\`), which then never matches, as in git.
 */
export function compileGlob(glob: string): RegExp | undefined {
  const chars = [...glob];
  let source = "";
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? "";
    if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else if (char === "[") {
      const parsed = compileClass(chars, i);
      if (parsed === undefined) return undefined;
      source += parsed.source;
      i = parsed.end;
    } else if (char === "\\") {
      const escaped = chars[++i];
      if (escaped === undefined) return undefined;
      source += literal(escaped);
    } else source += literal(char);
  }
  try {
    return new RegExp(`^${source}$`, "u");
  } catch {
    return undefined; // e.g. a range with a class as its end: [[:alpha:]-z]
  }
}

/** A bracket expression starting at `chars[start]` ("["): its regex and the index of its "]". */
function compileClass(chars: readonly string[], start: number): { source: string; end: number } | undefined {
  let i = start + 1;
  const negated = chars[i] === "!" || chars[i] === "^";
  if (negated) i++;
  let body = "";
  for (let first = true; i < chars.length; i++, first = false) {
    const char = chars[i] ?? "";
    if (char === "]" && !first) return { source: `[${negated ? "^" : ""}${body}]`, end: i };
    if (char === "[" && chars[i + 1] === ":") {
      const close = chars.indexOf(":", i + 2);
      const name = chars.slice(i + 2, close).join("");
      const mapped = posixClasses[name];
      if (close !== -1 && chars[close + 1] === "]" && mapped !== undefined) {
        body += mapped;
        i = close + 1;
        continue;
      }
    }
    if (char === "\\") {
      const escaped = chars[++i];
      if (escaped === undefined) return undefined;
      body += literal(escaped);
    } else if (char === "-" && !first && chars[i + 1] !== "]" && body !== "") body += "-";
    else body += literal(char);
  }
  return undefined;
}

function literal(char: string): string {
  return /^[\p{L}\p{N}_]$/u.test(char) ? char : `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`;
}
