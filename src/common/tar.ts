/**
 * A minimal deterministic tar (POSIX ustar) writer: every entry has mtime 0, uid/gid 0 and no user
 * names, so equal entries give equal bytes. Entries are written in the order given; callers sort.
 * Paths too long for ustar get a PAX extended header.
 */
export type TarEntry =
  | { type: "file"; path: string; content: string | Uint8Array; mode?: number }
  | { type: "directory"; path: string; mode?: number }
  | { type: "symlink"; path: string; target: string };

const blockSize = 512;
const nameLength = 100;
const prefixLength = 155;
const maxOctalSize = 8 ** 11 - 1;

const typeFlag = { file: "0", symlink: "2", directory: "5", paxHeader: "x" } as const;
const defaultMode = { file: 0o644, directory: 0o755, symlink: 0o777 } as const;

interface HeaderFields {
  path: string;
  mode: number;
  size: number;
  type: (typeof typeFlag)[keyof typeof typeFlag];
  linkTarget: string;
}

export function createTar(entries: readonly TarEntry[]): Buffer {
  const parts = entries.flatMap((entry) => entryBlocks(entry));
  parts.push(Buffer.alloc(blockSize * 2));
  return Buffer.concat(parts);
}

function entryBlocks(entry: TarEntry): Buffer[] {
  checkPath(entry.path);
  const fields = headerFields(entry);
  const content = entry.type === "file" ? Buffer.from(entry.content) : Buffer.alloc(0);
  return [...paxBlocks(fields), header(fields), ...padded(content)];
}

function headerFields(entry: TarEntry): HeaderFields {
  const mode = entry.type === "symlink" ? defaultMode.symlink : (entry.mode ?? defaultMode[entry.type]);
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777)
    throw new Error(`tar: bad mode for ${entry.path}`);
  switch (entry.type) {
    case "file":
      return {
        path: entry.path,
        mode,
        size: Buffer.byteLength(entry.content),
        type: typeFlag.file,
        linkTarget: "",
      };
    case "directory":
      return {
        path: `${entry.path.replace(/\/+$/, "")}/`,
        mode,
        size: 0,
        type: typeFlag.directory,
        linkTarget: "",
      };
    case "symlink":
      return { path: entry.path, mode, size: 0, type: typeFlag.symlink, linkTarget: entry.target };
  }
}

function checkPath(path: string): void {
  const components = path.replace(/\/$/, "").split("/");
  const bad =
    path.startsWith("/") ||
    path.includes("\0") ||
    components.some((c) => c === "" || c === "." || c === "..");
  if (bad)
    throw new Error(`tar: path ${JSON.stringify(path)} must be relative, without empty, '.' or '..' parts`);
}

/** A PAX extended header (type x) carrying what does not fit the ustar fields, or nothing. */
function paxBlocks(fields: HeaderFields): Buffer[] {
  const records: string[] = [];
  if (splitPath(fields.path) === undefined) records.push(paxRecord("path", fields.path));
  if (Buffer.byteLength(fields.linkTarget) > nameLength)
    records.push(paxRecord("linkpath", fields.linkTarget));
  if (records.length === 0) return [];
  const body = Buffer.from(records.join(""));
  const name = `PaxHeaders/${lastComponent(fields.path)}`;
  const paxFields: HeaderFields = {
    path: name,
    mode: 0o644,
    size: body.length,
    type: typeFlag.paxHeader,
    linkTarget: "",
  };
  return [header(paxFields), ...padded(body)];
}

/** "<length> <key>=<value>\n" where length counts the whole record, its own digits included. */
function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(rest);
  while (String(length).length + Buffer.byteLength(rest) !== length) {
    length = String(length).length + Buffer.byteLength(rest);
  }
  return `${length}${rest}`;
}

function lastComponent(path: string): string {
  const base = path.replace(/\/$/, "").split("/").pop() ?? "entry";
  return truncateBytes(base, nameLength - "PaxHeaders/".length);
}

/** ustar stores a long path as prefix + "/" + name; undefined when no split fits. */
function splitPath(path: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(path) <= nameLength) return { prefix: "", name: path };
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  for (let slash = trimmed.indexOf("/"); slash !== -1; slash = trimmed.indexOf("/", slash + 1)) {
    const prefix = path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (Buffer.byteLength(prefix) <= prefixLength && Buffer.byteLength(name) <= nameLength)
      return { prefix, name };
  }
  return undefined;
}

function header(fields: HeaderFields): Buffer {
  if (fields.size > maxOctalSize) throw new Error(`tar: ${fields.path} is larger than 8 GiB`);
  const block = Buffer.alloc(blockSize);
  const { prefix, name } = splitPath(fields.path) ?? {
    prefix: "",
    name: truncateBytes(fields.path, nameLength),
  };
  block.write(name, 0, nameLength, "utf8");
  writeOctal(block, 100, 8, fields.mode);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, 0); // mtime
  block.write(fields.type, 156, 1, "ascii");
  block.write(truncateBytes(fields.linkTarget, nameLength), 157, nameLength, "utf8");
  block.write("ustar\0", 257, 6, "ascii");
  block.write("00", 263, 2, "ascii");
  writeOctal(block, 329, 8, 0); // devmajor
  writeOctal(block, 337, 8, 0); // devminor
  block.write(prefix, 345, prefixLength, "utf8");
  writeChecksum(block);
  return block;
}

/** Zero-padded octal digits followed by a NUL, filling the field. */
function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(`${value.toString(8).padStart(width - 1, "0")}\0`, offset, width, "ascii");
}

/** The checksum sums the header with its own field read as spaces; stored as 6 digits, NUL, space. */
function writeChecksum(block: Buffer): void {
  block.fill(" ", 148, 156, "ascii");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
}

function padded(content: Buffer): Buffer[] {
  if (content.length === 0) return [];
  const remainder = content.length % blockSize;
  return remainder === 0 ? [content] : [content, Buffer.alloc(blockSize - remainder)];
}

function truncateBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text);
  return bytes.length <= maxBytes
    ? text
    : bytes
        .subarray(0, maxBytes)
        .toString("utf8")
        .replace(/\uFFFD$/, "");
}
