/** A "billion laughs" document: `levels` nested anchors, each aliasing the previous one nine times. */
export function aliasBomb(levels = 12): string {
  const name = (level: number) => `l${level}`;
  const lines = ["  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
  for (let level = 1; level < levels; level++) {
    const aliases = Array.from({ length: 9 }, () => `*${name(level - 1)}`).join(", ");
    lines.push(`  ${name(level)}: &${name(level)} [${aliases}]`);
  }
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n${lines.join("\n")}\n`;
}
