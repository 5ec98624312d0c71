/**
 * The target of the `rel="next"` link in `Link` header values (RFC 8288), resolved against the URL
 * of the response it came with. Undefined when there is no next link.
 */
export function nextLink(values: readonly string[], base: URL): URL | undefined {
  for (const value of values) {
    for (const match of value.matchAll(/<([^>]*)>([^,<]*)/g)) {
      const [, target = "", params = ""] = match;
      if (relations(params).includes("next")) return new URL(target, base);
    }
  }
  return undefined;
}

function relations(params: string): string[] {
  const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(params);
  const value = rel?.[1] ?? rel?.[2] ?? "";
  return value.toLowerCase().split(/\s+/).filter(Boolean);
}
