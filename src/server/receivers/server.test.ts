import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { request } from "node:http";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createLogger } from "../../runtime/logger.ts";
import type { ReceiverTarget } from "../../controllers/receiver/registry.ts";
import { webhookPath } from "../../controllers/receiver/webhook-path.ts";
import type { HttpServer } from "../../http/server.ts";
import { receiverServer, type AcceptedEvent } from "./server.ts";

const token = "s3cr3t-token-value";
const hmac = (algo: string, body: string, key = token): string =>
  createHmac(algo, key).update(body).digest("hex");

const targets = new Map<string, ReceiverTarget>();
function receiver(type: string, events: string[] = []): string {
  const name = `${type}-${targets.size}`;
  const path = webhookPath(token, name, "flux-system");
  targets.set(path, { namespace: "flux-system", name, type, token, events });
  return path;
}

const accepted: { target: ReceiverTarget; event: AcceptedEvent }[] = [];
const logLines: string[] = [];
let server: HttpServer;
let failNext = false;

before(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(chunk.toString());
      cb();
    },
  });
  server = receiverServer({
    lookup: (path) => targets.get(path),
    onAccepted: (target, event) => {
      accepted.push({ target, event });
      if (failNext) {
        failNext = false;
        throw new Error("kube down");
      }
    },
    maxBodyBytes: 64 * 1024,
    logger: createLogger({ level: "debug", destination }),
  });
  await server.listen();
});

after(async () => {
  await server.close();
});

async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, { method: "POST", body, headers });
  return { status: res.status, text: await res.text() };
}

/** Waits for onAccepted calls (they run after the response). */
async function acceptedFor(path: string, count = 1): Promise<AcceptedEvent[]> {
  const target = targets.get(path);
  for (let i = 0; i < 200; i++) {
    const got = accepted.filter((a) => a.target === target);
    if (got.length >= count) return got.map((a) => a.event);
    await sleep(5);
  }
  return accepted.filter((a) => a.target === target).map((a) => a.event);
}
const noneFor = async (path: string): Promise<void> => {
  await sleep(30);
  assert.equal(accepted.filter((a) => a.target === targets.get(path)).length, 0);
};

const json = { "Content-Type": "application/json" };
const push = JSON.stringify({ ref: "refs/heads/main", after: "abc" });

interface Case {
  type: string;
  body: string;
  good: (body: string) => Record<string, string>;
  bad: (body: string) => Record<string, string>;
  event?: string;
}

const cases: Case[] = [
  { type: "generic", body: "{}", good: () => ({}), bad: () => ({}) },
  {
    type: "generic-hmac",
    body: push,
    good: (b) => ({ ...json, "X-Signature": `sha256=${hmac("sha256", b)}` }),
    bad: (b) => ({ ...json, "X-Signature": `sha256=${hmac("sha256", b, "wrong")}` }),
  },
  {
    type: "github",
    body: push,
    good: (b) => ({
      ...json,
      "X-GitHub-Event": "push",
      "X-Hub-Signature-256": `sha256=${hmac("sha256", b)}`,
    }),
    bad: (b) => ({
      ...json,
      "X-GitHub-Event": "push",
      "X-Hub-Signature-256": `sha256=${hmac("sha256", b + " ")}`,
    }),
    event: "push",
  },
  {
    type: "gitlab",
    body: push,
    good: () => ({ ...json, "X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook" }),
    bad: () => ({ ...json, "X-Gitlab-Token": token + "x", "X-Gitlab-Event": "Push Hook" }),
    event: "Push Hook",
  },
  {
    type: "gitea",
    body: push,
    good: (b) => ({ ...json, "X-Gitea-Event": "push", "X-Gitea-Signature": hmac("sha256", b) }),
    bad: (b) => ({ ...json, "X-Gitea-Event": "push", "X-Gitea-Signature": hmac("sha1", b) }),
    event: "push",
  },
  {
    type: "bitbucket",
    body: push,
    good: (b) => ({
      ...json,
      "X-Event-Key": "repo:refs_changed",
      "X-Hub-Signature": `sha256=${hmac("sha256", b)}`,
    }),
    bad: () => ({ ...json, "X-Event-Key": "repo:refs_changed" }),
    event: "repo:refs_changed",
  },
  {
    type: "harbor",
    body: JSON.stringify({ type: "PUSH_ARTIFACT" }),
    good: () => ({ ...json, Authorization: token }),
    bad: () => ({ ...json, Authorization: `Bearer ${token}` }),
  },
  {
    type: "distribution",
    body: JSON.stringify({
      events: [
        { action: "push", target: { mediaType: "application/octet-stream", repository: "app" } },
        { action: "push", target: { repository: "team/app", tag: "1.2.3" } },
        { action: "pull", target: { repository: "team/app", tag: "1.2.3" } },
      ],
    }),
    good: () => ({
      "Content-Type": "application/vnd.docker.distribution.events.v1+json",
      Authorization: `Bearer ${token}`,
    }),
    bad: () => ({
      "Content-Type": "application/vnd.docker.distribution.events.v1+json",
      Authorization: "Bearer nope",
    }),
    event: "push",
  },
  {
    type: "nexus",
    body: JSON.stringify({ action: "CREATED", repositoryName: "docker" }),
    good: (b) => ({ ...json, "X-Nexus-Webhook-Signature": hmac("sha1", b) }),
    bad: (b) => ({ ...json, "X-Nexus-Webhook-Signature": hmac("sha1", b, "other") }),
  },
];

describe("receiver server: each type", () => {
  for (const c of cases) {
    it(`${c.type}: accepts a valid call and rejects a forged one`, async () => {
      const path = receiver(c.type);
      const ok = await post(path, c.body, c.good(c.body));
      assert.equal(ok.status, 200);
      const events = await acceptedFor(path);
      assert.equal(events.length, 1);
      assert.equal(events[0]?.event, c.event);
      if (c.type === "generic") return; // the path is the only secret
      const forged = await post(path, c.body, c.bad(c.body));
      assert.equal(forged.status, 401);
      assert.equal(forged.text, "unauthorized\n");
      assert.equal((await acceptedFor(path)).length, 1);
    });
  }

  it("distribution: passes the tagged pushes on, ignores blob pushes and pulls", async () => {
    const path = [...targets.entries()].find(([, t]) => t.type === "distribution")?.[0] ?? "";
    const [event] = await acceptedFor(path);
    assert.deepEqual(event?.images, [{ action: "push", repository: "team/app", tag: "1.2.3" }]);
    const pullsOnly = JSON.stringify({ events: [{ action: "pull", target: { repository: "a", tag: "1" } }] });
    const res = await post(path, pullsOnly, { Authorization: `Bearer ${token}` });
    assert.equal(res.status, 200);
    await sleep(30);
    assert.equal((await acceptedFor(path)).length, 1);
  });

  it("dockerhub and quay need their JSON payloads", async () => {
    const hub = receiver("dockerhub");
    const hubBody = JSON.stringify({ push_data: { tag: "latest" }, repository: { repo_url: "https://hub" } });
    assert.equal((await post(hub, hubBody, json)).status, 200);
    assert.equal((await post(hub, "not json", json)).status, 400);
    assert.equal((await post(hub, '{"push_data": 3}', json)).status, 400);
    const quay = receiver("quay");
    assert.equal(
      (await post(quay, JSON.stringify({ docker_url: "quay.io/x", updated_tags: ["1"] }), json)).status,
      200,
    );
    assert.equal((await post(quay, "[", json)).status, 400);
    assert.equal((await acceptedFor(hub)).length, 1);
    assert.equal((await acceptedFor(quay)).length, 1);
  });
});

describe("receiver server: paths, methods and limits", () => {
  it("unknown paths get the same bare 404, whether or not receivers exist", async () => {
    const missing = webhookPath("other", "name", "ns");
    const a = await post(missing, "{}", json);
    const b = await post("/hook/", "{}", json);
    const c = await post("/", "{}", json);
    const known = receiver("generic");
    const d = await post(`${known}?x=1`, "{}", json);
    for (const r of [a, b, c, d]) assert.deepEqual(r, { status: 404, text: "not found\n" });
    await noneFor(known);
  });

  it("answers 405 to anything but POST", async () => {
    const path = receiver("generic");
    const res = await fetch(server.url + path);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "POST");
    await res.text();
    await noneFor(path);
  });

  it("refuses bodies over the limit with 413 (declared length)", async () => {
    const path = receiver("generic");
    const res = await post(path, Buffer.alloc(64 * 1024 + 1, 0x61), json);
    assert.equal(res.status, 413);
    await noneFor(path);
    assert.equal((await post(path, Buffer.alloc(64 * 1024, 0x20), json)).status, 200);
  });

  it("refuses chunked bodies over the limit with 413 without reading them all", async () => {
    const path = receiver("generic");
    const { hostname, port } = new URL(server.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({
        hostname,
        port,
        path,
        method: "POST",
        headers: { "Transfer-Encoding": "chunked" },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      // 10 MiB offered, 16 KiB at a time; the server stops after 64 KiB.
      let sent = 0;
      const pump = (): void => {
        while (sent < 10 * 1024 * 1024 && !req.destroyed) {
          sent += 16 * 1024;
          if (!req.write(Buffer.alloc(16 * 1024, 0x61))) {
            req.once("drain", pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    assert.equal(status, 413);
    await noneFor(path);
  });
});

describe("receiver server: payloads, events and load", () => {
  it("github: non-JSON is a 400, an unsupported content type is a 400", async () => {
    const path = receiver("github");
    const body = "this is not json";
    const headers = { "X-GitHub-Event": "push", "X-Hub-Signature-256": `sha256=${hmac("sha256", body)}` };
    assert.deepEqual(await post(path, body, { ...headers, ...json }), { status: 400, text: "bad request\n" });
    assert.equal((await post(path, body, { ...headers, "Content-Type": "text/plain" })).status, 400);
    await noneFor(path);
  });

  it("github: form-encoded payloads are signed over the raw body", async () => {
    const path = receiver("github");
    const body = new URLSearchParams({ payload: push }).toString();
    const res = await post(path, body, {
      "Content-Type": "application/x-www-form-urlencoded",
      "X-GitHub-Event": "push",
      "X-Hub-Signature": `sha1=${hmac("sha1", body)}`,
    });
    assert.equal(res.status, 200);
    assert.equal((await acceptedFor(path)).length, 1);
  });

  it("github: ping is accepted without a reconcile, even when not in events", async () => {
    const path = receiver("github", ["push"]);
    const body = JSON.stringify({ zen: "Keep it simple.", hook_id: 1 });
    const headers = {
      ...json,
      "X-GitHub-Event": "ping",
      "X-Hub-Signature-256": `sha256=${hmac("sha256", body)}`,
    };
    assert.equal((await post(path, body, headers)).status, 200);
    await noneFor(path);
    const forged = { ...headers, "X-Hub-Signature-256": `sha256=${hmac("sha256", body, "x")}` };
    assert.equal((await post(path, body, forged)).status, 401);
  });

  it("filters on events, case-insensitively", async () => {
    const gh = receiver("github", ["Push"]);
    const sign = (event: string) => ({
      ...json,
      "X-GitHub-Event": event,
      "X-Hub-Signature-256": `sha256=${hmac("sha256", push)}`,
    });
    assert.equal((await post(gh, push, sign("issues"))).status, 400);
    assert.equal((await post(gh, push, sign("push"))).status, 200);
    assert.deepEqual(await acceptedFor(gh), [{ event: "push" }]);

    const gl = receiver("gitlab", ["tag push hook"]);
    const glHeaders = (event: string) => ({ ...json, "X-Gitlab-Token": token, "X-Gitlab-Event": event });
    assert.equal((await post(gl, push, glHeaders("Push Hook"))).status, 400);
    assert.equal((await post(gl, push, glHeaders("Tag Push Hook"))).status, 200);
    assert.equal((await acceptedFor(gl)).length, 1);
  });

  it("answers 200 before onAccepted fails, and logs neither body, token nor webhook path", async () => {
    const path = receiver("gitlab");
    failNext = true;
    const marker = "BODY-MARKER-1234";
    const res = await post(path, JSON.stringify({ marker }), { ...json, "X-Gitlab-Token": token });
    assert.equal(res.status, 200);
    await acceptedFor(path);
    await sleep(20);
    const log = logLines.join("");
    assert.match(log, /handling an accepted webhook failed/);
    assert.ok(!log.includes(token), "token logged");
    assert.ok(!log.includes(marker), "body logged");
    assert.ok(!log.includes(path.slice("/hook/".length)), "webhook path logged");
    assert.match(log, /"path":"\/hook\/<redacted>","status":200/);
  });

  it("answers a flood of 100 calls fast and hands on every one", async () => {
    const path = receiver("github");
    const headers = {
      ...json,
      "X-GitHub-Event": "push",
      "X-Hub-Signature-256": `sha256=${hmac("sha256", push)}`,
    };
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 100 }, () => post(path, push, headers)));
    const elapsed = performance.now() - started;
    assert.ok(results.every((r) => r.status === 200));
    assert.ok(elapsed < 5000, `100 calls took ${elapsed} ms`);
    assert.equal((await acceptedFor(path, 100)).length, 100);
  });
});

describe("receiver server lifecycle", () => {
  it("stopping waits for running onAccepted work", async () => {
    let finished = false;
    const controller = new AbortController();
    const path = webhookPath("t", "n", "ns");
    const s = receiverServer({
      lookup: (p) =>
        p === path ? { namespace: "ns", name: "n", type: "generic", token: "t", events: [] } : undefined,
      onAccepted: async () => {
        await sleep(50);
        finished = true;
      },
    });
    const { done } = await s.start(controller.signal);
    const url = s.url;
    const res = await fetch(url + path, { method: "POST", body: "" });
    assert.equal(res.status, 200);
    await res.text();
    controller.abort();
    await done;
    assert.equal(finished, true);
    await assert.rejects(fetch(url + path, { method: "POST", body: "" }));
  });
});
