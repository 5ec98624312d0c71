/**
 * The environment's PostgreSQL, from Debian's package: a cluster of its own under DIR/postgres,
 * on loopback with password authentication. PostgreSQL refuses to run as root, so a root
 * environment runs it as the package's `postgres` user. Durability is traded for speed (no
 * fsync): the environment is disposable.
 */
import { execFile } from "node:child_process";
import { access, chown, mkdir, readdir, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { SluiceError } from "../common/errors.ts";

const execFileAsync = promisify(execFile);
const packageDir = "/usr/lib/postgresql";
export const postgresUser = "sluice";

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** The newest PostgreSQL the Debian packages installed. */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const versions = await readdir(packageDir).catch(() => [] as string[]);
  const newest = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0];
  if (newest) {
    const bin = path.join(packageDir, newest, "bin");
    const found = { initdb: path.join(bin, "initdb"), postgres: path.join(bin, "postgres") };
    if (
      await access(found.postgres).then(
        () => true,
        () => false,
      )
    )
      return found;
  }
  throw new SluiceError("PostgreSQL is not installed", {
    hint: "run 'scripts/setup-debian.sh' (or 'make setup'); it installs Debian's postgresql package",
  });
}

/** Who runs the server: ourselves, or the package's `postgres` user when we are root. */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const id = async (flag: string) => Number((await execFileAsync("id", [flag, "postgres"])).stdout.trim());
  try {
    return { uid: await id("-u"), gid: await id("-g") };
  } catch {
    throw new SluiceError("PostgreSQL cannot run as root and the user 'postgres' does not exist", {
      hint: "install Debian's postgresql package (scripts/setup-debian.sh), which creates that user",
    });
  }
}

export interface PreparedPostgres {
  args: string[];
  user: { uid: number; gid: number } | undefined;
  url: string;
}

/**
 * Where an environment's cluster lives: under its directory, or, when PostgreSQL runs as the
 * `postgres` user, in a directory of its own under the system's temporary directory (that user
 * cannot enter an environment under a private directory such as /root or a mkdtemp one).
 */
export function postgresDir(envDir: string): string {
  if (process.getuid?.() !== 0) return path.join(envDir, "postgres");
  const digest = createHash("sha256").update(path.resolve(envDir)).digest("hex").slice(0, 12);
  return path.join(os.tmpdir(), `sluice-postgres-${digest}`);
}

/** Creates the cluster in `dir` on first use; answers how to start the server on `port`. */
export async function preparePostgres(
  dir: string,
  bins: PostgresBinaries,
  port: number,
  password: string,
): Promise<PreparedPostgres> {
  const data = path.join(dir, "data");
  const sockets = path.join(dir, "sockets");
  const user = await serverUser();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await mkdir(sockets, { recursive: true });
  if (user) for (const d of [dir, sockets]) await chown(d, user.uid, user.gid);
  if (
    !(await access(path.join(data, "PG_VERSION")).then(
      () => true,
      () => false,
    ))
  ) {
    const pwfile = path.join(dir, "initdb-password");
    await writeFile(pwfile, password + "\n", { mode: 0o600 });
    if (user) await chown(pwfile, user.uid, user.gid);
    const initdb = [
      ...["-D", data, "-U", postgresUser, "--pwfile", pwfile],
      ...["--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "--encoding=UTF8", "--no-sync"],
    ];
    try {
      await execFileAsync(bins.initdb, initdb, { ...user, cwd: dir });
    } catch (error) {
      throw new Error(`initdb failed: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`, {
        cause: error,
      });
    }
  }
  const settings = {
    fsync: "off",
    full_page_writes: "off",
    synchronous_commit: "off",
    max_connections: "200",
  };
  const args = [
    ...["-D", data, "-h", "127.0.0.1", "-p", String(port), "-k", sockets],
    ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
  ];
  const url = `postgres://${postgresUser}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return { args, user, url };
}

/** True once the server accepts our credentials. */
export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}
