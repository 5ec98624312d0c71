/**
 * One container, Concourse's model without a container daemon: the image's root filesystem,
 * shared read-only, under a private writable overlay (kernel overlayfs mounted in a mount
 * namespace of its own, so it vanishes with the container even after a crash); bubblewrap for
 * new PID, IPC and UTS namespaces, a fresh /proc and /dev, the host's network and resolver, the
 * task's volumes bound at their paths. Unprivileged containers keep Docker's default capability
 * set; `privileged` keeps them all. An abort or timeout kills the whole PID namespace.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ProcessError, runProcess, type OutputLine } from "../../../process/run.ts";

export interface ContainerMount {
  /** Directory on the host. */
  source: string;
  /** Absolute path in the container. */
  target: string;
  readOnly?: boolean | undefined;
}

export interface ContainerSpec {
  /** The image's root filesystem (never written). */
  rootfs: string;
  /** A directory of this container's own for its writable layer; removed when it exits. */
  layerDir: string;
  mounts: readonly ContainerMount[];
  env: Readonly<Record<string, string>>;
  /** Runs as root without it. */
  user?: { uid: number; gid: number } | undefined;
  cwd: string;
  argv: readonly string[];
  privileged: boolean;
  hostname: string;
  /** Names the container resolves beyond the host's /etc/hosts (a job's services), to addresses. */
  hosts?: Readonly<Record<string, string>> | undefined;
  signal: AbortSignal;
  timeoutMs: number;
  /** Written to the command's standard input; without it stdin is /dev/null. */
  input?: string | undefined;
  /** Called with the PID of the container's outermost process (bubblewrap, outside its namespaces). */
  onSpawn?: ((pid: number) => void) | undefined;
  /** cgroup.procs files the container joins before anything runs in it (see cgroups.ts). */
  cgroupProcs?: readonly string[] | undefined;
  onLine: (line: OutputLine) => void;
}

/** Docker's default capabilities: what installing packages or binding port 80 needs, nothing that reaches the host. */
const defaultCapabilities = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
];

const hostPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Joins the cgroups named in $SLUICE_CGROUP_PROCS (paths Sluice made, without spaces), mounts the
// overlay given as $1 (options) on $2, then execs the rest: the script never sees anything but
// its own positional parameters, so no value is ever parsed as shell.
const overlayThenExec = [
  'for f in $SLUICE_CGROUP_PROCS; do echo $$ > "$f" || { echo "sluice: cannot join the cgroup of $f" >&2; exit 125; }; done',
  'mount -t overlay overlay -o "$1" "$2" && shift 2 && exec "$@"',
].join("\n");

/** The host's /etc/hosts with the container's own names added, in its layer directory. */
async function hostsFile(spec: ContainerSpec): Promise<string | undefined> {
  const extra = Object.entries(spec.hosts ?? {});
  if (extra.length === 0) return undefined;
  const base = await readFile("/etc/hosts", "utf8").catch(() => "127.0.0.1 localhost\n");
  const file = path.join(spec.layerDir, "hosts");
  await writeFile(file, `${base.trimEnd()}\n${extra.map(([name, ip]) => `${ip} ${name}`).join("\n")}\n`);
  return file;
}

function bwrapArgs(spec: ContainerSpec, root: string, hosts: string | undefined): string[] {
  // The working directory exists even in an image without /tmp, before anything is mounted in it.
  const args = ["--bind", root, "/", "--proc", "/proc", "--dev", "/dev", "--dir", spec.cwd];
  args.push("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--hostname", spec.hostname);
  args.push("--die-with-parent", "--new-session");
  args.push("--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf");
  args.push("--ro-bind-try", hosts ?? "/etc/hosts", "/etc/hosts");
  for (const mount of spec.mounts)
    args.push(mount.readOnly ? "--ro-bind" : "--bind", mount.source, mount.target);
  if (spec.user && spec.user.uid !== 0) {
    args.push("--unshare-user", "--uid", String(spec.user.uid), "--gid", String(spec.user.gid));
  } else if (!spec.privileged) {
    args.push("--cap-drop", "ALL", ...defaultCapabilities.flatMap((cap) => ["--cap-add", cap]));
  } else {
    args.push("--cap-add", "ALL");
  }
  args.push("--clearenv");
  for (const [name, value] of Object.entries(spec.env)) args.push("--setenv", name, value);
  args.push("--chdir", spec.cwd, "--", ...spec.argv);
  return args;
}

/** Runs the container to its end; answers its exit status. Rejects with a ProcessError when aborted, timed out or not started. */
export async function runContainer(spec: ContainerSpec): Promise<number> {
  const [upper, work, merged] = ["upper", "work", "merged"].map((name) => path.join(spec.layerDir, name)) as [
    string,
    string,
    string,
  ];
  const unsafe = [spec.rootfs, upper, work].find((dir) => /[,:\\]/.test(dir));
  if (unsafe)
    throw new Error(
      `cannot stack a writable layer on ${unsafe}: overlayfs paths cannot hold ',', ':' or '\\'`,
    );
  await Promise.all([upper, work, merged].map((dir) => mkdir(dir, { recursive: true })));
  const overlay = `lowerdir=${spec.rootfs},upperdir=${upper},workdir=${work}`;
  const hosts = await hostsFile(spec);
  try {
    await runProcess(
      "unshare",
      [
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        overlayThenExec,
        "sh",
        overlay,
        merged,
        "bwrap",
        ...bwrapArgs(spec, merged, hosts),
      ],
      {
        env: { PATH: hostPath, SLUICE_CGROUP_PROCS: (spec.cgroupProcs ?? []).join(" ") },
        timeoutMs: spec.timeoutMs,
        signal: spec.signal,
        keepOutput: false,
        input: spec.input,
        onSpawn: spec.onSpawn,
        onLine: spec.onLine,
      },
    );
    return 0;
  } catch (error) {
    if (error instanceof ProcessError && error.failure === "exit") {
      if (error.exitCode !== null) return error.exitCode;
      // killed (the OOM killer picks the container's first process too): a shell's status for it
      if (error.signal) return 128 + (os.constants.signals[error.signal] ?? 0);
    }
    throw error;
  } finally {
    await rm(spec.layerDir, { recursive: true, force: true });
  }
}
