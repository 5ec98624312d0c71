import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { GitError } from "../git/exec.ts";
import { addAll, clone, commit, init, lsRemote, push, revParse } from "../git/repository.ts";
import { pushFiles as pushRepo } from "./push-files.ts";
import { parseCgiHead, routeOf, startGitServer, type GitServer } from "./git-server.ts";

const username = "sluice";
const password = "correct horse battery staple";
const credentials = { username, password };
const author = { name: "Test", email: "test@sluice.invalid" };

let tmp: string;
let root: string;
let server: GitServer;
const pushed: string[] = [];

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "sluice-git-server-test-"));
  root = path.join(tmp, "root");
  server = await startGitServer({ root, username, password, onPush: (repo) => pushed.push(repo) });
});
after(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

/** A raw request: the path is sent exactly as given, never normalised. */
async function request(
  target: string,
  auth: { username: string; password: string } | null = credentials,
): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  const { hostname, port } = new URL(server.url);
  const headers: http.OutgoingHttpHeaders = {};
  if (auth) headers["authorization"] = `Basic ${btoa(`${auth.username}:${auth.password}`)}`;
  const req = http.request({ hostname, port, path: target, headers });
  req.end();
  const [res] = (await once(req, "response")) as [http.IncomingMessage];
  res.resume();
  await once(res, "end");
  return { status: res.statusCode ?? 0, headers: res.headers };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

describe("git smart-HTTP server", () => {
  test("a push creates the repository, and a clone returns its content", async () => {
    const work = path.join(tmp, "work");
    await init(work, { initialBranch: "main" });
    await writeFile(path.join(work, "README.md"), "hello\n");
    await addAll(work);
    const sha = await commit(work, { message: "first", author });
    const url = `${server.url}/team/app.git`;
    await push(work, { remote: url, refspec: "HEAD:refs/heads/main", credentials });
    assert.deepEqual(pushed, ["team/app"]);
    assert.equal(await exists(path.join(root, "team/app.git/HEAD")), true);

    assert.equal((await lsRemote(url, { credentials })).get("refs/heads/main"), sha);
    const copy = path.join(tmp, "copy");
    await clone(url, copy, { credentials });
    assert.equal(await readFile(path.join(copy, "README.md"), "utf8"), "hello\n");
  });

  test("a push larger than git's post buffer is streamed (chunked, no Content-Length)", async () => {
    const work = path.join(tmp, "large");
    await init(work, { initialBranch: "main" });
    await writeFile(path.join(work, "blob.bin"), randomBytes(3 * 1024 * 1024));
    await addAll(work);
    const sha = await commit(work, { message: "large", author });
    const url = `${server.url}/large.git`;
    await push(work, { remote: url, refspec: "HEAD:refs/heads/main", credentials });
    assert.equal((await lsRemote(url, { credentials })).get("refs/heads/main"), sha);
  });

  test("a wrong password is refused with 401", async () => {
    const denied = await request("/team/app.git/info/refs?service=git-upload-pack", {
      username,
      password: "wrong",
    });
    assert.equal(denied.status, 401);
    assert.equal(denied.headers["www-authenticate"], 'Basic realm="sluice-git"');
    assert.equal((await request("/team/app.git/info/refs?service=git-upload-pack", null)).status, 401);

    const err = await clone(`${server.url}/team/app.git`, path.join(tmp, "denied"), {
      credentials: { username, password: "wrong-password" },
    }).catch((e: unknown) => e);
    assert.ok(err instanceof GitError);
    assert.match(err.message, /Authentication failed/);
    assert.doesNotMatch(err.message, /wrong-password/);
  });

  test("paths escaping the root or not naming a repository are 404", async () => {
    for (const target of [
      "/../etc.git/info/refs?service=git-upload-pack",
      "/x/../../y.git/info/refs?service=git-receive-pack",
      "/./y.git/info/refs?service=git-receive-pack",
      "/.hidden.git/info/refs?service=git-receive-pack",
      "/a%2F..%2Fb.git/info/refs?service=git-receive-pack",
      "/team/app.git/HEAD",
      "/team/app.git/info/refs",
      "/team/app/info/refs?service=git-upload-pack",
    ]) {
      assert.equal((await request(target)).status, 404, target);
    }
    assert.equal(await exists(path.join(tmp, "y.git")), false);
    assert.equal(await exists(path.join(root, "y.git")), false);
  });

  test("fetching a missing repository is 404 and does not create it", async () => {
    assert.equal((await request("/missing.git/info/refs?service=git-upload-pack")).status, 404);
    await assert.rejects(lsRemote(`${server.url}/missing.git`, { credentials }), /not found/);
    assert.equal(await exists(path.join(root, "missing.git")), false);
  });
});

test("pushRepo creates a repository, then adds commits on top, on any branch, with tags", async () => {
  const env = { gitUrl: server.url, gitUsername: username, gitPassword: password };
  const first = await pushRepo(env, "helper/demo", { "deploy/app.yaml": "replicas: 1\n" });
  assert.equal(first.url, `${server.url}/helper/demo.git`);
  const second = await pushRepo(env, "helper/demo", { "README.md": "hi\n" }, { tag: "v2", message: "two" });
  const feature = await pushRepo(env, "helper/demo", { "f.txt": "f" }, { branch: "feature" });

  const refs = await lsRemote(first.url, { credentials });
  assert.equal(refs.get("refs/heads/main"), second.sha);
  assert.equal(refs.get("refs/tags/v2^{}"), second.sha);
  assert.equal(refs.get("refs/heads/feature"), feature.sha);
  const copy = path.join(tmp, "helper-copy");
  await clone(first.url, copy, { credentials });
  assert.equal(await revParse(copy, "HEAD~1"), first.sha);
  assert.equal(await revParse(copy, "origin/feature~1"), second.sha);
  assert.equal(await readFile(path.join(copy, "deploy/app.yaml"), "utf8"), "replicas: 1\n");
});

describe("routeOf", () => {
  test("accepts nested names and the three smart-HTTP endpoints", () => {
    assert.deepEqual(routeOf("/a/b-c_d.e.git/info/refs?service=git-upload-pack"), {
      repo: "a/b-c_d.e",
      service: "git-upload-pack",
      pathInfo: "/a/b-c_d.e.git/info/refs",
      method: "GET",
    });
    assert.equal(routeOf("/a.git/git-receive-pack")?.method, "POST");
  });

  test("rejects dot segments and repositories nested in repositories", () => {
    assert.equal(routeOf("/a..b.git/git-upload-pack"), undefined);
    assert.equal(routeOf("/a.git/b.git/git-upload-pack"), undefined);
    assert.equal(routeOf("//a.git/git-upload-pack"), undefined);
  });
});

test("parseCgiHead reads the Status header and keeps the start of the body", () => {
  const parsed = parseCgiHead(Buffer.from("Status: 403 Forbidden\r\nContent-Type: text/plain\r\n\r\nno"));
  assert.equal(parsed?.status, 403);
  assert.deepEqual(parsed?.headers, [["Content-Type", "text/plain"]]);
  assert.equal(parsed?.body.toString(), "no");
  assert.equal(parseCgiHead(Buffer.from("Content-Type: x\r\n")), undefined);
});

test("runGitServerMain prints its URL, reads the password from a file and stops on SIGTERM", async (t) => {
  const passwordFile = path.join(tmp, "password");
  await writeFile(passwordFile, "from-file\n", { mode: 0o600 });
  const entry = pathToFileURL(path.join(import.meta.dirname, "git-server.ts")).href;
  const code = `import { runGitServerMain } from ${JSON.stringify(entry)}; await runGitServerMain(process.argv.slice(1));`;
  const args = ["--root", root, "--username", "u", "--password-file", passwordFile];
  const child = spawn(process.execPath, ["--input-type=module", "-e", code, "--", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  t.after(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (exitCode) => reject(new Error(`git-server exited early with ${exitCode}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  const ok = await fetch(`${url}/team/app.git/info/refs?service=git-upload-pack`, {
    headers: { authorization: `Basic ${btoa("u:from-file")}` },
  });
  assert.equal(ok.status, 200);
  await ok.arrayBuffer();
  child.kill("SIGTERM");
  const [exitCode] = (await once(child, "exit")) as [number | null];
  assert.equal(exitCode, 0);
});
