import { constants, crc32, deflateRawSync, gunzipSync } from "node:zlib";
import type { TarEntry } from "../common/tar.ts";

/** An archive or source tree beyond the configured size limit; retrying does not help. */
export class ArchiveTooLargeError extends Error {
  readonly reason = "ArchiveTooLarge";

  constructor(message: string) {
    super(message);
    this.name = "ArchiveTooLargeError";
  }
}

/** A tar stream that cannot be read, or holds a path outside its root. */
export class InvalidArchiveError extends Error {
  readonly reason = "InvalidArchive";

  constructor(message: string) {
    super(message);
    this.name = "InvalidArchiveError";
  }
}

// Fixed: no file name, mtime 0, no extra flags, OS "unknown", so the header never varies by host.
const gzipHeader = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
const deflateOptions = {
  level: 6,
  windowBits: 15,
  memLevel: 8,
  strategy: constants.Z_DEFAULT_STRATEGY,
} as const;

/**
 * gzip with a fixed header and fixed deflate parameters: equal input gives equal bytes with the
 * same zlib build. (Another zlib version may compress differently; the digest is a content
 * address, not a promise across upgrades.)
 */
export function gzipDeterministic(data: Uint8Array): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length % 2 ** 32, 4);
  return Buffer.concat([gzipHeader, deflateRawSync(data, deflateOptions), trailer]);
}

/** Entries of a `.tar.gz`; `maxBytes` bounds the uncompressed tar. */
export function extractTarGz(bytes: Uint8Array, options: { maxBytes?: number } = {}): TarEntry[] {
  const maxBytes = options.maxBytes ?? defaultMaxArchiveBytes;
  let tar: Buffer;
  try {
    tar = gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE")
      throw new ArchiveTooLargeError(`archive expands beyond the limit of ${formatBytes(maxBytes)}`);
    throw new InvalidArchiveError(`not a gzip stream: ${(err as Error).message}`);
  }
  return readTar(tar);
}

export const defaultMaxArchiveBytes = 100 * 1024 * 1024;

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${bytes} bytes`;
}

interface PendingNames {
  path?: string;
  linkpath?: string;
}

const blockSize = 512;

/**
 * Regular files, symlinks and directories of a ustar/PAX/GNU tar; other types (hard links,
 * devices, FIFOs) are dropped. Paths are normalised ("./" removed) and must stay inside the root.
 */
export function readTar(tar: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let pending: PendingNames = {};
  for (let offset = 0; offset + blockSize <= tar.length;) {
    const header = tar.subarray(offset, offset + blockSize);
    if (header.every((byte) => byte === 0)) break;
    verifyChecksum(header, offset);
    const size = readNumber(header, 124, 12);
    const bodyStart = offset + blockSize;
    if (bodyStart + size > tar.length) throw new InvalidArchiveError(`tar entry at ${offset} is truncated`);
    const body = tar.subarray(bodyStart, bodyStart + size);
    offset = bodyStart + Math.ceil(size / blockSize) * blockSize;
    const type = String.fromCharCode(header[156] ?? 0);
    const names = metadataNames(type, body);
    if (names !== undefined) {
      pending = { ...pending, ...names };
      continue;
    }
    const entry = toEntry(type, header, body, pending);
    pending = {};
    if (entry) entries.push(entry);
  }
  return entries;
}

/** Names carried by a PAX (x), global PAX (g) or GNU long-name (L, K) entry; undefined for others. */
function metadataNames(type: string, body: Buffer): PendingNames | undefined {
  switch (type) {
    case "x":
      return paxNames(body);
    case "g":
      return {};
    case "L":
      return { path: cString(body) };
    case "K":
      return { linkpath: cString(body) };
    default:
      return undefined;
  }
}

function toEntry(type: string, header: Buffer, body: Buffer, pending: PendingNames): TarEntry | undefined {
  const rawPath = pending.path ?? ustarPath(header);
  const path = normaliseEntryPath(rawPath);
  if (path === "") return undefined;
  const mode = readNumber(header, 100, 8) & 0o7777;
  switch (type) {
    case "0":
    case "\0":
    case "7":
      return { type: "file", path, content: Buffer.from(body), mode };
    case "2":
      return { type: "symlink", path, target: pending.linkpath ?? cString(header.subarray(157, 257)) };
    case "5":
      return { type: "directory", path, mode };
    default:
      return undefined;
  }
}

function ustarPath(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const isUstar = header.subarray(257, 262).toString("latin1") === "ustar";
  const prefix = isUstar ? cString(header.subarray(345, 500)) : "";
  return prefix ? `${prefix}/${name}` : name;
}

/** Removes "./" and trailing "/"; rejects absolute paths and ".." components. */
export function normaliseEntryPath(raw: string): string {
  if (raw.startsWith("/")) throw new InvalidArchiveError(`tar entry ${JSON.stringify(raw)} is absolute`);
  const parts = raw.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..") || raw.includes("\0"))
    throw new InvalidArchiveError(`tar entry ${JSON.stringify(raw)} leaves the archive root`);
  return parts.join("/");
}

function paxNames(body: Buffer): PendingNames {
  const names: PendingNames = {};
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    const length = Number(body.subarray(offset, space).toString("latin1"));
    if (space === -1 || !Number.isInteger(length) || length <= 0)
      throw new InvalidArchiveError("malformed PAX header");
    const record = body.subarray(space + 1, offset + length - 1).toString("utf8");
    const equals = record.indexOf("=");
    const key = record.slice(0, equals);
    if (key === "path" || key === "linkpath") names[key] = record.slice(equals + 1);
    offset += length;
  }
  return names;
}

/** Octal digits, or GNU base-256 when the high bit of the first byte is set. */
function readNumber(header: Buffer, offset: number, width: number): number {
  const field = header.subarray(offset, offset + width);
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = (field[0] ?? 0) & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const digits = cString(field).trim();
  return digits === "" ? 0 : parseInt(digits, 8);
}

function verifyChecksum(header: Buffer, offset: number): void {
  const stored = readNumber(header, 148, 8);
  let sum = 0;
  header.forEach((byte, i) => (sum += i >= 148 && i < 156 ? 0x20 : byte));
  if (sum !== stored) throw new InvalidArchiveError(`tar header at ${offset} has a bad checksum`);
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString("utf8");
}
