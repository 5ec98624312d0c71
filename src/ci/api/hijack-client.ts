/**
 * The client end of intercept: upgrades a request to the hijack stream (see container-routes.ts),
 * sends standard input as it comes, writes the frames' output where it belongs, and answers the
 * command's exit status.
 */
import { request } from "node:http";
import type { Readable, Writable } from "node:stream";
import { ApiRequestError } from "./client.ts";
import { FrameKind, hijackUpgrade } from "./container-routes.ts";

export interface HijackRequest {
  url: string;
  token: string | undefined;
  team: string;
  handle: string;
  argv: readonly string[];
  tty?: { rows: number; cols: number } | undefined;
}

export interface HijackIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export function hijack(req: HijackRequest, io: HijackIo): Promise<number> {
  const query = new URLSearchParams({
    argv: JSON.stringify(req.argv),
    ...(req.tty && { tty: "1", rows: String(req.tty.rows), cols: String(req.tty.cols) }),
  });
  const path = `/api/v1/teams/${encodeURIComponent(req.team)}/containers/${req.handle}/hijack?${query.toString()}`;
  return new Promise((resolve, reject) => {
    const outgoing = request(`${req.url}${path}`, {
      method: "POST",
      headers: {
        Connection: "Upgrade",
        Upgrade: hijackUpgrade,
        ...(req.token && { Authorization: `Bearer ${req.token}` }),
      },
    });
    outgoing.on("error", reject);
    outgoing.on("response", (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => {
        const error = (JSON.parse(body || "{}") as { error?: string }).error ?? `HTTP ${res.statusCode}`;
        reject(new ApiRequestError(res.statusCode ?? 0, `intercept: ${error}`, {}));
      });
    });
    outgoing.on("upgrade", (_res, socket, head) => {
      let pending = head;
      let status: number | undefined;
      socket.on("data", (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
          const kind = pending.readUInt8(0);
          const payload = pending.subarray(5, 5 + pending.readUInt32BE(1));
          pending = pending.subarray(5 + payload.length);
          if (kind === FrameKind.stdout) io.stdout.write(payload);
          else if (kind === FrameKind.stderr) io.stderr.write(payload);
          else if (kind === FrameKind.exit) status = Number(payload.toString());
        }
      });
      const forward = (chunk: Buffer) => socket.write(chunk);
      io.stdin.on("data", forward);
      io.stdin.once("end", () => socket.end());
      socket.on("close", () => {
        io.stdin.off("data", forward);
        io.stdin.pause();
        resolve(status ?? 1);
      });
    });
    outgoing.end();
  });
}
