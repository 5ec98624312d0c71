/**
 * A verb's connection to its target: the saved server and team of `-t`, a client carrying the
 * saved token, and fly's answers when that fails (unknown target, an expired login).
 */
import type { Command } from "commander";
import { ApiRequestError, CiClient } from "../../ci/api/client.ts";
import { SluiceError } from "../../common/errors.ts";
import { usageError } from "../shared/flags.ts";
import { defaultTargetFiles, loadTarget } from "./targets.ts";

export interface Session {
  client: CiClient;
  team: string;
  targetName: string;
  api: string;
}

export async function openSession(command: Command): Promise<Session> {
  const targetName = command.optsWithGlobals<{ target?: string }>().target;
  const target = await loadTarget(targetName, defaultTargetFiles());
  const client = new CiClient({ url: target.api, ...(target.token && { token: target.token.value }) });
  return { client, team: target.team, targetName: targetName!, api: target.api };
}

/** Runs `call`; a 401 becomes fly's "log in again", an API error its own message. */
export async function withSession<T>(command: Command, call: (session: Session) => Promise<T>): Promise<T> {
  const session = await openSession(command);
  try {
    return await call(session);
  } catch (error) {
    if (error instanceof ApiRequestError) {
      if (error.status === 401) {
        throw new SluiceError(
          `not authorized. run the following to log in again:\n\n    sluice ci -t ${session.targetName} login`,
        );
      }
      throw new SluiceError(error.message);
    }
    throw error;
  }
}

/** `PIPELINE/NAME` as fly's `-j` and `-r` take it. */
export function pipelineAnd(value: string, flag: string): [string, string] {
  const slash = value.indexOf("/");
  if (slash <= 0 || slash === value.length - 1)
    throw usageError(`${flag} ${JSON.stringify(value)}: expected PIPELINE/NAME`);
  return [value.slice(0, slash), value.slice(slash + 1)];
}

/** `k:v` pairs (fly's `-v ref:abc`) as a version; `flag` names them in errors. */
export function versionOf(pairs: readonly string[], flag: string): Record<string, string> {
  if (pairs.length === 0) throw usageError(`${flag} KEY:VALUE is required`);
  return Object.fromEntries(
    pairs.map((pair) => {
      const colon = pair.indexOf(":");
      if (colon <= 0) throw usageError(`${flag} ${JSON.stringify(pair)}: expected KEY:VALUE`);
      return [pair.slice(0, colon), pair.slice(colon + 1)];
    }),
  );
}
