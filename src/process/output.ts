/** Bounded buffers and a line splitter for what a child process writes. */

export type OutputStream = "stdout" | "stderr";

/** Keeps the first `limit` bytes of a stream. */
export class HeadBuffer {
  readonly #chunks: Buffer[] = [];
  readonly #limit: number;
  #size = 0;
  overflowed = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(chunk: Buffer): void {
    const room = this.#limit - this.#size;
    if (chunk.length > room) this.overflowed = true;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#chunks.push(kept);
    this.#size += kept.length;
  }

  text(): string {
    return Buffer.concat(this.#chunks).toString("utf8");
  }
}

/** Keeps roughly the last `limit` bytes of a stream: a program's fatal message comes last. */
export class TailBuffer {
  #data = Buffer.alloc(0);
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(chunk: Buffer): void {
    this.#data = Buffer.concat([this.#data, chunk]);
    if (this.#data.length > 2 * this.#limit) this.#data = this.#data.subarray(-this.#limit);
  }

  text(): string {
    return this.#data.toString("utf8");
  }
}

/**
 * Splits a byte stream into lines (`\n` or `\r\n`), decoding UTF-8 across chunk boundaries; a line
 * longer than `maxLineBytes` is passed on in pieces so one endless line cannot grow memory.
 */
export class LineSplitter {
  readonly #onLine: (line: string) => void;
  readonly #maxLineBytes: number;
  #pending = Buffer.alloc(0);

  constructor(onLine: (line: string) => void, maxLineBytes = 64 * 1024) {
    this.#onLine = onLine;
    this.#maxLineBytes = maxLineBytes;
  }

  push(chunk: Buffer): void {
    let data = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    for (let newline = data.indexOf(10); newline >= 0; newline = data.indexOf(10)) {
      this.#emit(data.subarray(0, newline));
      data = data.subarray(newline + 1);
    }
    while (data.length > this.#maxLineBytes) {
      this.#emit(data.subarray(0, this.#maxLineBytes));
      data = data.subarray(this.#maxLineBytes);
    }
    this.#pending = Buffer.from(data);
  }

  /** Passes on a last line that had no newline. */
  end(): void {
    if (this.#pending.length) this.#emit(this.#pending);
    this.#pending = Buffer.alloc(0);
  }

  #emit(bytes: Buffer): void {
    const line = bytes.toString("utf8");
    this.#onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  }
}
