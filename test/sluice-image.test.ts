import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { createImageBuilder } from "../src/ci/builder/index.ts";
import { buildSluiceImage } from "../src/dev/sluice-image.ts";
import { sluiceVersion } from "../src/install/version.ts";
import { RegistryMirrors } from "../src/oci/mirrors.ts";
import { runProcess } from "../src/process/run.ts";
import { testEnvWithImages } from "./helpers/base-images.ts";

test("Sluice's own image runs the CLI as nobody on a read-only root filesystem, with git and kustomize", async (t) => {
  const { env } = await testEnvWithImages();
  const work = await mkdtemp(path.join(os.tmpdir(), "sluice-image-test-"));
  t.after(() => rm(work, { recursive: true, force: true }));
  const builder = createImageBuilder({
    stateDir: path.join(work, "builder"),
    mirrors: RegistryMirrors.parse([`docker.io=${env.imageMirror}/docker.io`]),
  });
  t.after(() => builder.close());
  const rootfs = path.join(work, "rootfs");
  await buildSluiceImage(builder, [{ kind: "rootfs", dir: rootfs }]);

  await assert.rejects(stat(path.join(rootfs, "app/src/cli/main.test.ts")), "no tests in the image");
  await assert.rejects(stat(path.join(rootfs, "app/node_modules/typescript")), "no dev dependencies");
  await assert.rejects(stat(path.join(rootfs, "app/.sluice")), "no environment state");

  // As the install manifests run it: uid 65534, nothing writable but /tmp.
  const inImage = (args: string[]) =>
    runProcess(
      "bwrap",
      [
        ...["--unshare-user", "--uid", "65534", "--gid", "65534", "--unshare-pid", "--die-with-parent"],
        ...["--ro-bind", rootfs, "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"],
        ...["--setenv", "HOME", "/tmp", "--setenv", "SLUICE_CACHE", "/opt/sluice/cache"],
        ...args,
      ],
      { env: { PATH: "/usr/local/bin:/usr/bin:/bin" }, timeoutMs: 60_000 },
    );
  const version = await inImage(["/usr/local/bin/node", "/app/src/cli/main.ts", "--version"]);
  assert.match(version.stdout, new RegExp(`${(await sluiceVersion()).replaceAll(".", "\\.")}`));
  const git = await inImage(["git", "--version"]);
  assert.match(git.stdout, /^git version 2\./);
  const kustomize = await inImage(["/usr/bin/find", "/opt/sluice/cache/upstream", "-name", "kustomize"]);
  assert.match(kustomize.stdout, /kustomize-v[\d.]+\/kustomize/);
  const passwd = await readFile(path.join(rootfs, "etc/passwd"), "utf8");
  assert.ok(passwd.includes("nobody"), "uid 65534 has a name");
});
