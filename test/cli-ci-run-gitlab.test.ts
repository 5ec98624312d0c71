import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { show, sluice, tempDir } from "./helpers/cli.ts";
import { git, manifestExists, workingCopy } from "./helpers/working-copy.ts";

/** The seed's monorepo, abridged: a Go client built and released when its .version changes, a helm chart templated and committed back over SSH. */
/** The smoke job's service listens here (services share the worker's network). */
const servicePort = 20000 + Math.floor(Math.random() * 20000);

const files: Record<string, string> = {
  ".gitlab-ci.yml": `stages: [test, build, release]
include:
  - local: '$CI_PROJECT_DIR/app/client/.gitlab-ci.yml'
variables:
  CHART_DIR: $CI_PROJECT_DIR/charts/maths-api
unit:
  stage: test
  image: busybox:1.36
  script:
    - echo "token is $GL_PAT"
    - test "$CI_COMMIT_REF_NAME" = main
smoke:
  stage: test
  image: busybox:1.36
  services:
    - name: busybox:1.36
      alias: web
      command: [sh, -c, 'mkdir -p /www && echo "served by $GREETING" > /www/index.html && exec httpd -f -p ${servicePort} -h /www']
      variables: { GREETING: a service }
  script:
    - for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://web:${servicePort}/ && break; sleep 0.5; done
release-maths-api-helm-chart:
  stage: release
  image: alpine/helm:3.15.1
  script:
    - helm template maths-api "$CHART_DIR" > "$CI_PROJECT_DIR/release.yml"
  artifacts: { paths: [release.yml] }
push-release:
  stage: .post
  image: { name: alpine/git:v2.45.1, entrypoint: [""] }
  needs: [release-maths-api-helm-chart]
  before_script:
    - mkdir -p ~/.ssh/
    - echo "\${SSH_PUSH_KEY}" > ~/.ssh/id_rsa && chmod 600 ~/.ssh/id_rsa
    - echo "\${SSH_KNOWN_HOSTS}" > ~/.ssh/known_hosts
    - git config --global user.email ci@example.com && git config --global user.name CI
    - git remote add ssh_origin "$PUSH_URL"
  script:
    - git add release.yml
    - git commit -m "Adding maths-api helm template output"
    - git push ssh_origin HEAD:$CI_COMMIT_REF_NAME
`,
  "app/client/.gitlab-ci.yml": `build-client:
  image: golang:1.22.4-alpine3.20
  stage: build
  artifacts: { paths: ["$CI_PROJECT_DIR/app/client/client", "$CI_PROJECT_DIR/app/client/.version"] }
  script: [ 'cd "$CI_PROJECT_DIR/app/client/"', 'go build -o client' ]
  only: { changes: [app/client/.version] }
release-client:
  image: busybox:1.36
  stage: release
  dependencies: [build-client]
  script: [ './app/client/client "$(cat app/client/.version)"' ]
  only: { changes: [app/client/.version] }
release-client-docker-img:
  image: docker:27.1.1
  stage: release
  dependencies: [build-client]
  services: [{ name: "docker:27.1.1-dind", alias: docker }]
  variables: { DOCKER_HOST: "tcp://docker:2375/", DOCKER_DRIVER: overlay2, DOCKER_TLS_CERTDIR: "" }
  script:
    - echo $GL_PAT | docker login $IMAGE_REGISTRY -u $IMAGE_REGISTRY_USER --password-stdin
    - VERSION=\`cat $CI_PROJECT_DIR/app/client/.version\`
    - cd app/client
    - docker build -t client:latest -t $IMAGE_REGISTRY_PATH/client_v:$VERSION -t $IMAGE_REGISTRY_PATH/client_v:latest .
    - docker image push $IMAGE_REGISTRY_PATH/client_v --all-tags
  only: { changes: [app/client/.version] }
`,
  "app/client/Dockerfile": "FROM busybox:1.36\nCOPY client /usr/local/bin/client\n",
  "app/client/go.mod": "module example.com/client\n\ngo 1.19\n",
  "app/client/main.go": `package main

import (
	"fmt"
	"os"
)

func main() { fmt.Printf("client says %s\\n", os.Args[1]) }
`,
  "app/client/.version": "1.0.0\n",
  "charts/maths-api/Chart.yaml": "apiVersion: v2\nname: maths-api\nversion: 0.1.0\n",
  "charts/maths-api/templates/service.yaml":
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  ports: [{ port: 80 }]\n",
  "README.md": "maths\n",
};

test("sluice ci run-gitlab runs the seed's jobs: only: changes, artifacts through dependencies, masked variables, a commit pushed over SSH", async (t) => {
  const { env } = await testEnvWithImages();
  const dir = await tempDir(t, "sluice-run-gitlab-");
  const name = `gitlab-seed-${randomBytes(3).toString("hex")}`;
  const copy = await workingCopy(env, dir, name, files);
  const repo = copy.dir;
  await copy.commit("the monorepo");
  await copy.write({ "README.md": "maths, documented\n" });
  await copy.commit("docs");
  const secret = `glpat-${randomBytes(8).toString("hex")}`;
  const common = [
    repo,
    "--registry-mirror",
    `docker.io=${env.imageMirror}/docker.io`,
    "--cache-dir",
    path.join(dir, "cache"),
    "--variable",
    `GL_PAT=${secret}`,
    "--variable",
    `SSH_PUSH_KEY=${await readFile(env.sshIdentityFile, "utf8")}`,
    "--variable",
    `SSH_KNOWN_HOSTS=${env.sshKnownHosts}`,
    "--variable",
    `PUSH_URL=${env.sshUrl}${env.gitRoot}/${name}.git`,
    "--variable",
    `IMAGE_REGISTRY=${env.registry}`,
    "--variable",
    "IMAGE_REGISTRY_USER=ci-robot",
    "--variable",
    `IMAGE_REGISTRY_PATH=${env.registry}/${name}`,
  ];

  const listed = await sluice("ci run-gitlab", ...common, "--list");
  assert.equal(listed.code, 0, show(listed));
  assert.doesNotMatch(listed.stdout, /build-client/, "the push did not change app/client/.version");

  const docs = await sluice("ci run-gitlab", ...common);
  assert.equal(docs.code, 0, show(docs));
  assert.match(docs.stdout, /unit +\| token is \(\(redacted\)\)/);
  assert.match(docs.stdout, /smoke +\| served by a service/, "the job reached its service by its alias");
  assert.ok(!docs.stdout.includes(secret) && !docs.stderr.includes(secret), "the variable is masked");
  assert.doesNotMatch(docs.stdout, /client says/);
  const pushed = await git(repo, "ls-remote", "origin", "refs/heads/main");
  await git(repo, "fetch", "-q", "origin");
  const release = await git(repo, "show", `${pushed.split("\t")[0]}:release.yml`);
  assert.match(release, /kind: Service\n[\s\S]*name: maths-api/);
  assert.equal(
    await git(repo, "log", "-1", "--format=%s", "origin/main"),
    "Adding maths-api helm template output",
  );

  await writeFile(path.join(repo, "app/client/.version"), "1.0.1\n");
  const bumped = await sluice(
    "ci run-gitlab",
    ...common,
    ...["--job", "build-client", "--job", "release-client", "--job", "release-client-docker-img"],
  );
  assert.equal(bumped.code, 0, show(bumped));
  for (const tag of ["1.0.1", "latest"])
    assert.ok(
      await manifestExists(env, `${name}/client_v`, tag),
      `docker push --all-tags pushed client_v:${tag}`,
    );
  assert.match(
    bumped.stdout,
    /release-client +\| client says 1\.0\.1/,
    "the binary came through dependencies",
  );
  assert.match(bumped.stdout, /build-client +\| Uploading artifacts: 2 files/);

  await writeFile(path.join(repo, "app/client/main.go"), "package main\nfunc main() { broken }\n");
  const broken = await sluice("ci run-gitlab", ...common, "--job", "build-client", "--job", "release-client");
  assert.equal(broken.code, 1, show(broken));
  assert.match(broken.stdout, /build-client +\| failed|release-client +skipped: a job before it failed/);
  assert.match(broken.stdout, /release-client +skipped: a job before it failed/);
});
