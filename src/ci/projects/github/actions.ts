/**
 * The actions built into Sluice (nothing can be downloaded here): each runs on the worker's side
 * with the job's workspace, its `with:` inputs (expressions already evaluated) and what the job
 * shares between steps (registry logins, artifacts, caches). A thrown error fails the step with
 * its message.
 */
import { cp, mkdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Credentials } from "../../../oci/auth.ts";
import { parseImageReference } from "../../../oci/reference.ts";
import { runGit } from "../../../git/exec.ts";
import type { ImageBuilder } from "../../builder/image-builder.ts";
import { overlay, saveSelected } from "../workspace-files.ts";

export interface ActionRuntime {
  /** The action's major version (`@v1` → 1; undefined for a branch or sha). */
  version: number | undefined;
  inputs: Readonly<Record<string, string>>;
  env: Readonly<Record<string, string>>;
  /** `$GITHUB_WORKSPACE` on the worker's side. */
  workspace: string;
  /** The commit's files, for actions/checkout. */
  sourceDir: string;
  /** The run's artifacts (`<dir>/<name>/`) and caches (`<dir>/<key>/`). */
  artifactsDir: string;
  cacheDir: string;
  /** An empty directory of the job's own. */
  scratchDir: string;
  builder: ImageBuilder;
  /** Registry host → credentials, shared by the job's steps. */
  logins: Map<string, Credentials>;
  /** Pushes the workspace repository's HEAD to the project's branch with the project's credentials. */
  gitPush: (dir: string, branch: string) => Promise<void>;
  branch: string;
  setOutput: (name: string, value: string) => void;
  /** Runs when the job ends, with whether it succeeded (actions/cache saves then). */
  atJobEnd: (hook: (succeeded: boolean) => Promise<void>) => void;
  log: (line: string) => void;
  signal: AbortSignal;
}

export type Action = (runtime: ActionRuntime) => Promise<void>;

const lines = (text: string | undefined): string[] =>
  (text ?? "")
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

const flag = (text: string | undefined, fallback: boolean): boolean =>
  text === undefined || text === "" ? fallback : text.trim().toLowerCase() === "true";

function inside(workspace: string, relative: string | undefined): string {
  const target = path.resolve(workspace, relative ?? ".");
  if (target !== workspace && !target.startsWith(`${workspace}${path.sep}`))
    throw new Error(`${relative}: outside the workspace`);
  return target;
}

const checkout: Action = async (rt) => {
  if (rt.inputs["repository"] && !rt.env["GITHUB_REPOSITORY"]?.endsWith(rt.inputs["repository"]))
    throw new Error(
      `actions/checkout: only the project's own repository can be checked out here, not ${rt.inputs["repository"]}`,
    );
  const target = inside(rt.workspace, rt.inputs["path"]);
  await mkdir(target, { recursive: true });
  await cp(rt.sourceDir, target, { recursive: true, force: true, verbatimSymlinks: true });
  rt.log(
    `checked out ${rt.env["GITHUB_SHA"] ?? "the commit"} into ${path.relative(rt.workspace, target) || "."}`,
  );
};

const nothingToSetUp: Action = (rt) => {
  rt.log("nothing to set up: Sluice builds images with its own daemonless builder");
  return Promise.resolve();
};

const login: Action = (rt) => {
  const registry = rt.inputs["registry"] || "docker.io";
  const username = rt.inputs["username"] ?? "";
  const password = rt.inputs["password"] ?? "";
  if (!username || !password) throw new Error("docker/login-action: username and password are required");
  rt.logins.set(registry, { username, password });
  rt.log(`logged in to ${registry}`);
  return Promise.resolve();
};

function keyValues(items: string[]): Record<string, string> {
  return Object.fromEntries(
    items.map((item) => {
      const equals = item.indexOf("=");
      return equals < 0 ? [item, ""] : [item.slice(0, equals), item.slice(equals + 1)];
    }),
  );
}

/** docker/build-push-action@v1's inputs: a repository, short tags, a path. */
function v1Request(rt: ActionRuntime) {
  const registry = rt.inputs["registry"];
  const repository = `${registry ? `${registry}/` : ""}${rt.inputs["repository"] ?? ""}`;
  if (!rt.inputs["repository"]) throw new Error("docker/build-push-action@v1: repository is required");
  const tags = lines(rt.inputs["tags"]);
  if (flag(rt.inputs["tag_with_sha"], false)) tags.push(`sha-${(rt.env["GITHUB_SHA"] ?? "").slice(0, 7)}`);
  if (tags.length === 0) tags.push("latest");
  if (rt.inputs["username"] && rt.inputs["password"])
    rt.logins.set(registry ?? parseImageReference(repository).registry, {
      username: rt.inputs["username"],
      password: rt.inputs["password"],
    });
  return {
    context: rt.inputs["path"] ?? ".",
    dockerfile: rt.inputs["dockerfile"],
    refs: tags.map((tag) => `${repository}:${tag}`),
    push: flag(rt.inputs["push"], true),
    buildArgs: keyValues(lines(rt.inputs["build_args"])),
    labels: keyValues(lines(rt.inputs["labels"])),
    target: rt.inputs["target"],
  };
}

function currentRequest(rt: ActionRuntime) {
  return {
    context: rt.inputs["context"] ?? ".",
    dockerfile: rt.inputs["file"],
    refs: lines(rt.inputs["tags"]),
    push: flag(rt.inputs["push"], false),
    buildArgs: keyValues(
      (rt.inputs["build-args"] ?? "")
        .split("\n")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
    labels: keyValues(
      (rt.inputs["labels"] ?? "")
        .split("\n")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
    target: rt.inputs["target"],
  };
}

const buildPush: Action = async (rt) => {
  const request = rt.version === 1 ? v1Request(rt) : currentRequest(rt);
  const contextDir = inside(rt.workspace, request.context);
  if (request.push && request.refs.length === 0) throw new Error("docker/build-push-action: push needs tags");
  const result = await rt.builder.build({
    contextDir,
    ...(request.dockerfile && { dockerfile: inside(rt.workspace, request.dockerfile) }),
    ...(request.target && { target: request.target }),
    buildArgs: request.buildArgs,
    labels: request.labels,
    outputs: request.push
      ? [{ kind: "push", refs: request.refs }]
      : [{ kind: "oci-layout", dir: path.join(rt.scratchDir, "image") }],
    registryAuth: rt.logins,
    signal: rt.signal,
    log: rt.log,
  });
  if (result.digest) {
    rt.setOutput("digest", result.digest);
    rt.setOutput("imageid", result.configDigest ?? "");
  }
  rt.log(
    request.push
      ? `pushed ${request.refs.join(", ")} (${result.digest ?? "no digest"})`
      : "built (not pushed)",
  );
};

const addAndCommit: Action = async (rt) => {
  const cwd = inside(rt.workspace, rt.inputs["cwd"]);
  const git = (...args: string[]) => runGit(args, { cwd, signal: rt.signal });
  const author = rt.inputs["author_name"] || rt.env["GITHUB_ACTOR"] || "sluice";
  const email = rt.inputs["author_email"] || `${author}@users.noreply.sluice.invalid`;
  for (const pathspec of lines(rt.inputs["add"] || ".")) await git("add", "--", ...pathspec.split(/\s+/));
  const staged = (await git("diff", "--cached", "--name-only")).stdout.trim();
  if (staged === "") {
    rt.log("nothing to commit");
    rt.setOutput("committed", "false");
    return;
  }
  const message = rt.inputs["message"] || `Commit from Sluice (${rt.env["GITHUB_WORKFLOW"] ?? "workflow"})`;
  await runGit(["-c", `user.name=${author}`, "-c", `user.email=${email}`, "commit", "-m", message], {
    cwd,
    signal: rt.signal,
  });
  const sha = (await git("rev-parse", "HEAD")).stdout.trim();
  rt.setOutput("committed", "true");
  rt.setOutput("commit_sha", sha);
  rt.log(`committed ${sha.slice(0, 8)}: ${message}`);
  if (flag(rt.inputs["push"], true)) {
    await rt.gitPush(cwd, rt.inputs["branch"] || rt.branch);
    rt.setOutput("pushed", "true");
    rt.log(`pushed to ${rt.inputs["branch"] || rt.branch}`);
  }
};

const safeName = (name: string) => {
  if (!/^[\w.-]+$/.test(name))
    throw new Error(`artifact name ${JSON.stringify(name)}: letters, digits, . _ -`);
  return name;
};

const uploadArtifact: Action = async (rt) => {
  const name = safeName(rt.inputs["name"] || "artifact");
  const files = await saveSelected(rt.workspace, path.join(rt.artifactsDir, name), lines(rt.inputs["path"]));
  if (files === 0 && rt.inputs["if-no-files-found"] === "error")
    throw new Error(`no files match ${rt.inputs["path"]}`);
  rt.log(`uploaded ${files} file${files === 1 ? "" : "s"} as ${name}`);
};

const downloadArtifact: Action = async (rt) => {
  const target = inside(rt.workspace, rt.inputs["path"]);
  const name = rt.inputs["name"];
  if (name) await overlay(path.join(rt.artifactsDir, safeName(name)), target);
  else await overlay(rt.artifactsDir, target);
  rt.log(`downloaded ${name ?? "every artifact"} into ${path.relative(rt.workspace, target) || "."}`);
};

const cache: Action = async (rt) => {
  const key = rt.inputs["key"];
  if (!key) throw new Error("actions/cache: key is required");
  const paths = lines(rt.inputs["path"]).map((p) => p.replace(/^\.\//, ""));
  const dir = (k: string) => path.join(rt.cacheDir, encodeURIComponent(k));
  const hit = await stat(dir(key)).then(
    () => true,
    () => false,
  );
  await overlay(dir(key), rt.workspace);
  rt.setOutput("cache-hit", String(hit));
  rt.atJobEnd(async (succeeded) => {
    if (!succeeded) return;
    await saveSelected(rt.workspace, dir(key), paths);
  });
  rt.log(hit ? `cache ${key}: restored` : `cache ${key}: not found, saved when the job succeeds`);
};

const builtins: Readonly<Record<string, Action>> = {
  "actions/checkout": checkout,
  "actions/upload-artifact": uploadArtifact,
  "actions/download-artifact": downloadArtifact,
  "actions/cache": cache,
  "docker/login-action": login,
  "docker/build-push-action": buildPush,
  "docker/setup-buildx-action": nothingToSetUp,
  "docker/setup-qemu-action": nothingToSetUp,
  "endbug/add-and-commit": addAndCommit,
};

/** The built-in action `uses:` names (`owner/name@ref`), with the major version of its ref. */
export function actionOf(uses: string): { action: Action; version: number | undefined } | undefined {
  const [name, ref] = uses.split("@");
  const action = builtins[(name ?? "").toLowerCase()];
  if (!action) return undefined;
  const major = /^v(\d+)/.exec(ref ?? "");
  return { action, version: major ? Number(major[1]) : undefined };
}
