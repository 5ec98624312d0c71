import { access, mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loopback } from "./components.ts";
import { inheritedEnv, runProcess } from "../process/run.ts";

const exists = (f: string) =>
  access(f).then(
    () => true,
    () => false,
  );

export interface SshdSetup {
  args: string[];
  /** ssh://user@127.0.0.1:port, to which an absolute repository path is appended */
  url: string;
  identityFile: string;
  /** a known_hosts line pinning the server's host key */
  knownHosts: string;
}

async function keypair(file: string): Promise<string> {
  if (!(await exists(file)))
    await runProcess("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "sluice-dev", "-f", file], {
      env: inheritedEnv(),
      timeoutMs: 30_000,
    });
  return (await readFile(`${file}.pub`, "utf8")).trim();
}

/**
 * An sshd for git over SSH on loopback, for the current user, with key authentication only: the
 * environment's repositories are reachable as `<url><gitRoot>/<name>.git`.
 */
export async function prepareSshd(dir: string, port: number): Promise<SshdSetup> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const hostKey = path.join(dir, "host_key");
  const identityFile = path.join(dir, "client_key");
  const hostPub = await keypair(hostKey);
  const clientPub = await keypair(identityFile);
  const authorized = path.join(dir, "authorized_keys");
  await writeFile(
    authorized,
    `no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-pty ${clientPub}\n`,
    { mode: 0o600 },
  );
  const user = os.userInfo().username;
  const config = path.join(dir, "sshd_config");
  await writeFile(
    config,
    [
      `Port ${port}`,
      `ListenAddress ${loopback}`,
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorized}`,
      `AllowUsers ${user}`,
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "StrictModes no",
      `PidFile ${path.join(dir, "sshd.pid")}`,
      "LogLevel ERROR",
    ].join("\n") + "\n",
    { mode: 0o600 },
  );
  // sshd started as root insists on its privilege-separation directory
  if (process.getuid?.() === 0) await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const [type, key] = hostPub.split(" ");
  return {
    args: ["-D", "-e", "-f", config],
    url: `ssh://${user}@${loopback}:${port}`,
    identityFile,
    knownHosts: `[${loopback}]:${port} ${type} ${key}`,
  };
}
