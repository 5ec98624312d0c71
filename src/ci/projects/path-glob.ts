/**
 * Path patterns as CI files write them for changed files (GitLab `changes:`/`exists:`, GitHub
 * `paths:`): `*` and `?` within one path segment (dot files included), `**` as a whole segment
 * for any number of segments, `[...]` classes, `{a,b}` alternatives. A leading `/` or `./` is
 * ignored. Undefined for a malformed pattern.
 */
import { compileGlob } from "../../source/ignore.ts";

/** `a{b,c}d` → `abd`, `acd` (nested braces too); a brace without a comma stays literal. */
export function expandBraces(pattern: string): string[] {
  let depth = 0;
  let start = -1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") i++;
    else if (c === "{" && depth++ === 0) start = i;
    else if (c === "}" && depth > 0 && --depth === 0) {
      const body = pattern.slice(start + 1, i);
      const options = splitTopLevel(body);
      if (options.length < 2) continue;
      const head = pattern.slice(0, start);
      const tails = expandBraces(pattern.slice(i + 1));
      return options.flatMap((option) => expandBraces(option).flatMap((o) => tails.map((t) => head + o + t)));
    }
  }
  return [pattern];
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let last = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "\\") i++;
    else if (c === "{") depth++;
    else if (c === "}") depth--;
    else if (c === "," && depth === 0) {
      parts.push(body.slice(last, i));
      last = i + 1;
    }
  }
  parts.push(body.slice(last));
  return parts;
}

type Segment = "**" | RegExp;

function compileSegments(pattern: string): Segment[] | undefined {
  const segments: Segment[] = [];
  for (const part of pattern.replace(/^(\.\/|\/)+/, "").split("/")) {
    if (part === "**") {
      if (segments.at(-1) !== "**") segments.push("**");
      continue;
    }
    const compiled = compileGlob(part);
    if (!compiled) return undefined;
    segments.push(compiled);
  }
  return segments;
}

function matchSegments(segments: readonly Segment[], parts: readonly string[], si = 0, pi = 0): boolean {
  if (si === segments.length) return pi === parts.length;
  const segment = segments[si]!;
  if (segment === "**") {
    for (let skip = pi; skip <= parts.length; skip++)
      if (matchSegments(segments, parts, si + 1, skip)) return true;
    return false;
  }
  return pi < parts.length && segment.test(parts[pi]!) && matchSegments(segments, parts, si + 1, pi + 1);
}

export type PathMatcher = (path: string) => boolean;

export function compilePathGlob(pattern: string): PathMatcher | undefined {
  const alternatives: Segment[][] = [];
  for (const expanded of expandBraces(pattern)) {
    const segments = compileSegments(expanded);
    if (!segments) return undefined;
    alternatives.push(segments);
  }
  return (path) => {
    const parts = path.replace(/^\.?\//, "").split("/");
    return alternatives.some((segments) => matchSegments(segments, parts));
  };
}
