/** The host tools a real node's set-up and teardown call: ip, runc, umount. */
import { runProcess } from "../../process/run.ts";

/** The system's programs, whatever PATH the caller has: the nodes' daemons run with it too. */
export const systemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const env = { PATH: systemPath };

export async function host(file: string, args: readonly string[]): Promise<string> {
  return (await runProcess(file, args, { env, timeoutMs: 30_000 })).stdout;
}

/** The same, its failure ignored: teardown goes on past what is already gone. */
export const hostQuietly = (file: string, args: readonly string[]) => host(file, args).catch(() => "");
