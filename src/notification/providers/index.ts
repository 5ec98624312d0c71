import type { ProviderType, SendFn } from "../types.ts";
import { send as discord } from "./discord.ts";
import { send as genericHmac } from "./generic-hmac.ts";
import { send as generic } from "./generic.ts";
import { send as gitea } from "./gitea.ts";
import { send as github } from "./github.ts";
import { send as gitlab } from "./gitlab.ts";
import { send as msteams } from "./msteams.ts";
import { send as slack } from "./slack.ts";

/** The sender of each supported Provider type. */
export const senders: Readonly<Record<ProviderType, SendFn>> = {
  generic,
  "generic-hmac": genericHmac,
  slack,
  msteams,
  discord,
  github,
  gitlab,
  gitea,
};
