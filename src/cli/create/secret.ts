/** `sluice create secret git`: a Secret with Flux's Git credential keys; values are printed only by --export. */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { applyObject } from "../../install/apply.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { objectName, usageError } from "../shared/flags.ts";
import { commandGroup } from "../shared/kinds.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "../shared/kube-flags.ts";
import { renderYaml, say } from "../shared/output.ts";
import { inheritedEnv, runProcess } from "../../process/run.ts";

export interface GitSecretFlags extends KubeFlags {
  url: string;
  username?: string;
  password?: string;
  bearerToken?: string;
  privateKeyFile?: string;
  knownHosts?: string;
  caFile?: string;
  export: boolean;
}

type SecretData = Record<string, string>;

async function readFlagFile(
  flag: string,
  file: string,
  looksRight: (text: string) => boolean,
  expected: string,
): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw usageError(
      `cannot read ${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  if (!looksRight(text)) throw usageError(`${flag} ${file} does not hold ${expected}`);
  return text;
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(
      `--url "${url}" is not a valid URL`,
      "use https://host/org/repo or ssh://git@host/org/repo",
    );
  }
  if (!["ssh:", "http:", "https:"].includes(parsed.protocol)) {
    throw usageError(`--url "${url}" must be an http://, https:// or ssh:// URL`);
  }
  return parsed;
}

/** The public half of an SSH key: FILE.pub when present, else what ssh-keygen derives (unencrypted keys only). */
async function publicKey(file: string): Promise<string | undefined> {
  const sibling = await readFile(`${file}.pub`, "utf8").catch(() => undefined);
  if (sibling?.trim()) return sibling.trim();
  try {
    const { stdout } = await runProcess("ssh-keygen", ["-y", "-P", "", "-f", file], {
      env: inheritedEnv(),
      timeoutMs: 10_000,
    });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

async function sshData(flags: GitSecretFlags, url: URL): Promise<SecretData> {
  if (flags.username !== undefined || flags.bearerToken !== undefined) {
    throw usageError(
      "--username and --bearer-token apply to http(s) URLs",
      "for SSH put the user in the URL: ssh://git@host/org/repo",
    );
  }
  if (!flags.privateKeyFile) throw usageError("an ssh:// URL needs --private-key-file");
  if (!flags.knownHosts) {
    throw usageError(
      "an ssh:// URL needs --known-hosts: the server's host key must be pinned, and Sluice does not scan it over the network",
      `run 'ssh-keyscan -p ${url.port || "22"} ${url.hostname} > known_hosts' on a network you trust and pass --known-hosts known_hosts`,
    );
  }
  const identity = await readFlagFile(
    "--private-key-file",
    flags.privateKeyFile,
    (t) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(t),
    "a PEM or OpenSSH private key",
  );
  const knownHosts = await readFlagFile(
    "--known-hosts",
    flags.knownHosts,
    (t) => t.split("\n").some((l) => l.trim() && !l.startsWith("#")),
    "known_hosts entries",
  );
  const data: SecretData = { identity, known_hosts: knownHosts };
  const pub = await publicKey(flags.privateKeyFile);
  if (pub) data["identity.pub"] = pub;
  if (flags.password !== undefined) data["password"] = flags.password; // the key's passphrase, as Flux stores it
  return data;
}

function httpData(flags: GitSecretFlags): SecretData {
  if (flags.privateKeyFile || flags.knownHosts)
    throw usageError("--private-key-file and --known-hosts apply to ssh:// URLs");
  if (flags.bearerToken !== undefined && (flags.username !== undefined || flags.password !== undefined)) {
    throw usageError("choose either --username/--password or --bearer-token");
  }
  if ((flags.username === undefined) !== (flags.password === undefined)) {
    throw usageError("--username and --password go together");
  }
  if (flags.bearerToken !== undefined) return { bearerToken: flags.bearerToken };
  if (flags.username !== undefined && flags.password !== undefined)
    return { username: flags.username, password: flags.password };
  if (!flags.caFile)
    throw usageError("no credentials given", "pass --username and --password, --bearer-token, or --ca-file");
  return {};
}

/** Validates the flags (exit 2), reads the files and returns the Secret's keys. */
export async function gitSecretData(flags: GitSecretFlags): Promise<SecretData> {
  const url = parseUrl(flags.url);
  const data = url.protocol === "ssh:" ? await sshData(flags, url) : httpData(flags);
  if (flags.caFile)
    data["ca.crt"] = await readFlagFile(
      "--ca-file",
      flags.caFile,
      (t) => t.includes("-----BEGIN CERTIFICATE-----"),
      "a PEM certificate",
    );
  return data;
}

function secret(name: string, namespace: string, body: Record<string, unknown>): KubeObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, ...body };
}

/** The Secret holding `data` (base64-encoded). */
export function gitSecretObject(name: string, namespace: string, data: SecretData): KubeObject {
  const encoded = Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")]),
  );
  return secret(name, namespace, { type: "Opaque", data: encoded });
}

async function createGitSecret(name: string, flags: GitSecretFlags): Promise<void> {
  objectName("Secret name", name);
  const data = await gitSecretData(flags);
  if (flags.export) {
    process.stdout.write(renderYaml([secret(name, flags.namespace, { stringData: data })]));
    return;
  }
  if (flags.url.startsWith("http://") && Object.keys(data).some((k) => k !== "ca.crt")) {
    say.warning("credentials for an http:// URL travel unencrypted");
  }
  await withCluster(flags, async (client) => {
    say.action(`applying Secret ${flags.namespace}/${name} with keys ${Object.keys(data).sort().join(", ")}`);
    const { action } = await applyObject(client, gitSecretObject(name, flags.namespace, data));
    say.success(`git secret '${flags.namespace}/${name}' ${action}`);
    if (data["identity.pub"]) say.success(`deploy key: ${data["identity.pub"]}`);
  });
}

export function registerCreateSecretCommands(program: Command): void {
  const create = commandGroup(
    program,
    "create",
    "create or update Flux objects (or print them with --export)",
  );
  const secretGroup = commandGroup(create, "secret", "create or update Secrets for sources");
  addKubeFlags(
    secretGroup
      .command("git")
      .description("create or update a Secret with Git credentials, for a GitRepository's --secret-ref")
      .argument("<name>", "name of the Secret")
      .requiredOption(
        "--url <url>",
        "the Git repository address the credentials are for (decides HTTPS or SSH)",
      )
      .option("-u, --username <name>", "basic auth user name (HTTPS)")
      .option(
        "-p, --password <password>",
        "basic auth password (HTTPS), or the private key's passphrase (SSH)",
      )
      .option("--bearer-token <token>", "bearer token (HTTPS)")
      .option("--private-key-file <file>", "SSH private key")
      .option("--known-hosts <file>", "known_hosts file with the SSH server's host key")
      .option("--ca-file <file>", "CA certificate (PEM) the HTTPS server's certificate is checked against")
      .option("--export", "print the Secret as YAML (with its values) instead of applying it", false),
  ).action(createGitSecret);
}
