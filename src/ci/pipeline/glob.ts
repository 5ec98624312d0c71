/**
 * Job-name globs as `passed:` and `groups[].jobs` take them: `*`, `?`, `[abc]`, `[!a-c]`,
 * `{a,b}` and `\` to escape. Returns undefined for a malformed glob.
 */
export function compileGlob(glob: string): RegExp | undefined {
  let source = "";
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === "*") source += ".*";
    else if (c === "?") source += ".";
    else if (c === "\\") {
      if (++i >= glob.length) return undefined;
      source += escapeRegExp(glob.charAt(i));
    } else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) return undefined;
      const body = glob
        .slice(i + 1, end)
        .replace(/^!/, "^")
        .replace(/\\/g, "\\\\");
      source += `[${body}]`;
      i = end;
    } else if (c === "{") {
      braces++;
      source += "(?:";
    } else if (c === "}" && braces > 0) {
      braces--;
      source += ")";
    } else if (c === "," && braces > 0) source += "|";
    else source += escapeRegExp(c);
  }
  if (braces > 0) return undefined;
  try {
    return new RegExp(`^${source}$`, "u");
  } catch {
    return undefined;
  }
}

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** The items whose name `glob` matches, or undefined for a malformed glob. */
export function matchingNames<T extends { name: string }>(
  glob: string,
  items: readonly T[],
): T[] | undefined {
  const pattern = compileGlob(glob);
  return pattern && items.filter((item) => pattern.test(item.name));
}
