import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import { NotificationError } from "./errors.ts";
import { closeHttpAgents } from "./http.ts";
import { commitStatusId, describeReason, parseGitAddress, parseRevision } from "./providers/commit-status.ts";
import { send as discord } from "./providers/discord.ts";
import { send as genericHmac } from "./providers/generic-hmac.ts";
import { send as generic } from "./providers/generic.ts";
import { send as gitea } from "./providers/gitea.ts";
import { githubApiBase, send as github } from "./providers/github.ts";
import { send as gitlab } from "./providers/gitlab.ts";
import { send as msteams } from "./providers/msteams.ts";
import { send as slack } from "./providers/slack.ts";
import { TestReceiver, json, stall, status } from "./external-service.test-support.ts";
import type { FluxEvent } from "./types.ts";

const sha = "5394cb7f48332b2de7c17dd8b8384bbc84b7e738";

function flux(over: Partial<FluxEvent> = {}): FluxEvent {
  return {
    involvedObject: {
      kind: "Kustomization",
      namespace: "flux-system",
      name: "apps",
      uid: "3f1c-77",
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    },
    severity: "info",
    timestamp: "2025-01-01T00:00:00Z",
    message: "Applied revision: main@sha1:" + sha,
    reason: "ReconciliationSucceeded",
    metadata: { revision: `main@sha1:${sha}`, env: "prod" },
    reportingController: "sluice-kustomization",
    reportingInstance: "pod-1",
    ...over,
  };
}

const receiver = new TestReceiver();
let base = "";
before(async () => {
  base = await receiver.start();
});
after(async () => {
  await closeHttpAgents();
  await receiver.stop();
});
beforeEach(() => {
  receiver.requests.length = 0;
});

describe("generic", () => {
  it("posts the Flux Event JSON with gotk-component and custom headers", async () => {
    await generic({ address: `${base}/hook`, timeoutMs: 2000, headers: { "X-Team": "a" } }, flux());
    const [req] = receiver.requests;
    assert.equal(req?.method, "POST");
    assert.equal(req?.path, "/hook");
    assert.equal(req?.headers["content-type"], "application/json");
    assert.equal(req?.headers["gotk-component"], "sluice-kustomization");
    assert.equal(req?.headers["x-team"], "a");
    assert.deepEqual(JSON.parse(req.body), flux());
    assert.deepEqual(Object.keys(JSON.parse(req.body) as object), [
      "involvedObject",
      "severity",
      "timestamp",
      "message",
      "reason",
      "metadata",
      "reportingController",
      "reportingInstance",
    ]);
  });

  it("fails with a typed, retryable error on 503 without leaking the address", async () => {
    receiver.then(status(503, "try later"));
    const err = await generic({ address: `${base}/secret-path-xyz`, timeoutMs: 2000 }, flux()).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof NotificationError);
    assert.equal(err.reason, "HttpStatus");
    assert.equal(err.status, 503);
    assert.equal(err.retryable, true);
    assert.doesNotMatch(err.message, /secret-path-xyz/);
  });

  it("400 is not retryable, and the token never shows in the message", async () => {
    receiver.then(status(400, "bad token s3cr3t-token"));
    const err = await slack({ address: `${base}/x`, token: "s3cr3t-token", timeoutMs: 2000 }, flux()).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof NotificationError);
    assert.equal(err.retryable, false);
    assert.doesNotMatch(err.message, /s3cr3t-token/);
    assert.match(err.message, /400/);
  });

  it("rejects a non-http address without repeating it", async () => {
    const err = await generic({ address: "ftp://user:pw@host/x", timeoutMs: 100 }, flux()).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof NotificationError);
    assert.equal(err.reason, "InvalidConfig");
    assert.doesNotMatch(err.message, /pw/);
  });
});

describe("generic-hmac", () => {
  it("signs the exact body with the token", async () => {
    await genericHmac({ address: `${base}/hmac`, token: "hmac-key", timeoutMs: 2000 }, flux());
    const [req] = receiver.requests;
    const expected = "sha256=" + createHmac("sha256", "hmac-key").update(req!.body).digest("hex");
    assert.equal(req?.headers["x-signature"], expected);
    assert.deepEqual(JSON.parse(req.body), flux());
  });

  it("needs a token", async () => {
    await assert.rejects(genericHmac({ address: `${base}/hmac`, timeoutMs: 2000 }, flux()), {
      reason: "InvalidConfig",
    });
  });
});

describe("slack and discord", () => {
  it("posts Slack attachments", async () => {
    await slack(
      { address: `${base}/services/T/B/X`, channel: "general", timeoutMs: 2000 },
      flux({ severity: "error" }),
    );
    const [req] = receiver.requests;
    assert.equal(req?.headers.authorization, undefined);
    assert.deepEqual(JSON.parse(req!.body), {
      channel: "general",
      username: "sluice-kustomization",
      icon_url: "",
      icon_emoji: "",
      attachments: [
        {
          color: "danger",
          author_name: "kustomization/apps.flux-system",
          text: flux().message,
          mrkdwn_in: ["text"],
          fields: [
            { title: "env", value: "prod", short: false },
            { title: "revision", value: `main@sha1:${sha}`, short: false },
          ],
        },
      ],
    });
  });

  it("sends a bot token as Bearer and honours username", async () => {
    await slack({ address: `${base}/api`, token: "xoxb-1", username: "flux", timeoutMs: 2000 }, flux());
    const [req] = receiver.requests;
    assert.equal(req?.headers.authorization, "Bearer xoxb-1");
    const body = JSON.parse(req.body) as {
      username: string;
      channel?: string;
      attachments: { color: string }[];
    };
    assert.equal(body.username, "flux");
    assert.equal(body.channel, undefined);
    assert.equal(body.attachments[0]?.color, "good");
  });

  it("discord posts the Slack payload to <webhook>/slack", async () => {
    await discord({ address: `${base}/api/webhooks/1/tok`, timeoutMs: 2000 }, flux());
    const [req] = receiver.requests;
    assert.equal(req?.path, "/api/webhooks/1/tok/slack");
    assert.equal((JSON.parse(req.body) as { attachments: unknown[] }).attachments.length, 1);
    await discord({ address: `${base}/api/webhooks/1/tok/slack`, timeoutMs: 2000 }, flux());
    assert.equal(receiver.requests[1]?.path, "/api/webhooks/1/tok/slack");
  });
});

describe("msteams", () => {
  it("posts an Adaptive Card to a Workflows webhook", async () => {
    await msteams({ address: `${base}/workflows/x`, timeoutMs: 2000 }, flux({ severity: "error" }));
    const body = JSON.parse(receiver.requests[0]!.body) as {
      type: string;
      attachments: { contentType: string; content: { type: string; body: Record<string, unknown>[] } }[];
    };
    assert.equal(body.type, "message");
    const card = body.attachments[0]!;
    assert.equal(card.contentType, "application/vnd.microsoft.card.adaptive");
    assert.equal(card.content.type, "AdaptiveCard");
    assert.deepEqual(card.content.body[0], {
      type: "TextBlock",
      text: "kustomization/apps.flux-system",
      weight: "bolder",
      size: "medium",
      color: "attention",
    });
    assert.deepEqual(card.content.body[1], { type: "TextBlock", text: flux().message, wrap: true });
    assert.deepEqual(card.content.body[2], {
      type: "FactSet",
      facts: [
        { title: "env", value: "prod" },
        { title: "revision", value: `main@sha1:${sha}` },
      ],
    });
  });
});

describe("commit status helpers", () => {
  it("parses revisions as Flux does", () => {
    assert.equal(parseRevision(`main@sha1:${sha}`), sha);
    assert.equal(parseRevision(`feature/x@sha1:${sha}`), sha);
    assert.equal(parseRevision(`sha1:${sha}`), sha);
    assert.equal(parseRevision(`main/${sha}`), sha);
    assert.equal(parseRevision(sha), sha);
    assert.equal(parseRevision("main@sha1:not-a-sha"), undefined);
  });
  it("builds the context and description", () => {
    assert.equal(
      commitStatusId(flux(), "0c9c2e41-d2f9-4f9b-9c41-2131f4e0a6e4"),
      "kustomization/apps/0c9c2e41",
    );
    assert.equal(describeReason("ReconciliationSucceeded"), "reconciliation succeeded");
    assert.equal(describeReason("HealthCheckFailed"), "health check failed");
  });
  it("parses repository addresses", () => {
    assert.deepEqual(parseGitAddress("github", "https://github.com/org/repo.git"), {
      base: "https://github.com",
      id: "org/repo",
    });
    assert.deepEqual(parseGitAddress("github", "ssh://git@github.com/org/repo"), {
      base: "https://github.com",
      id: "org/repo",
    });
    assert.deepEqual(parseGitAddress("gitlab", "git@gitlab.com:group/sub/proj.git"), {
      base: "https://gitlab.com",
      id: "group/sub/proj",
    });
    assert.equal(githubApiBase("https://github.com"), "https://api.github.com");
    assert.equal(githubApiBase("https://ghe.example.com"), "https://ghe.example.com/api/v3");
  });
});

const providerUid = "0c9c2e41-d2f9-4f9b-9c41-2131f4e0a6e4";

describe("github", () => {
  it("creates a status on the parsed sha", async () => {
    await github({ address: `${base}/org/repo`, token: "ghp", providerUid, timeoutMs: 2000 }, flux());
    const [list, post] = receiver.requests;
    assert.equal(list?.method, "GET");
    assert.equal(list?.path, `/api/v3/repos/org/repo/commits/${sha}/statuses?per_page=50`);
    assert.equal(post?.method, "POST");
    assert.equal(post?.path, `/api/v3/repos/org/repo/statuses/${sha}`);
    assert.equal(post?.headers.authorization, "Bearer ghp");
    assert.deepEqual(JSON.parse(post.body), {
      state: "success",
      context: "kustomization/apps/0c9c2e41",
      description: "reconciliation succeeded",
    });
  });

  it("reports failure for error events and skips Progressing", async () => {
    await github(
      { address: `${base}/org/repo`, token: "ghp", providerUid, timeoutMs: 2000 },
      flux({ severity: "error", reason: "HealthCheckFailed" }),
    );
    assert.equal((JSON.parse(receiver.posts()[0]!.body) as { state: string }).state, "failure");
    receiver.requests.length = 0;
    await github(
      { address: `${base}/org/repo`, token: "ghp", providerUid, timeoutMs: 2000 },
      flux({ reason: "Progressing" }),
    );
    assert.equal(receiver.requests.length, 0);
  });

  it("skips a status identical to the latest one", async () => {
    receiver.then(
      json([
        { context: "kustomization/apps/0c9c2e41", state: "success", description: "reconciliation succeeded" },
        { context: "kustomization/apps/0c9c2e41", state: "failure", description: "health check failed" },
      ]),
    );
    await github({ address: `${base}/org/repo`, token: "ghp", providerUid, timeoutMs: 2000 }, flux());
    assert.equal(receiver.posts().length, 0);
  });

  it("fails without revision or token", async () => {
    await assert.rejects(
      github({ address: `${base}/org/repo`, token: "ghp", timeoutMs: 2000 }, flux({ metadata: {} })),
      { reason: "InvalidEvent" },
    );
    await assert.rejects(github({ address: `${base}/org/repo`, timeoutMs: 2000 }, flux()), {
      reason: "InvalidConfig",
    });
  });
});

describe("gitlab", () => {
  it("sets the status on the URL-encoded project", async () => {
    await gitlab(
      { address: `${base}/group/sub/proj.git`, token: "glpat", providerUid, timeoutMs: 2000 },
      flux({ severity: "error", reason: "BuildFailed" }),
    );
    const [list, post] = receiver.requests;
    assert.equal(
      list?.path,
      `/api/v4/projects/group%2Fsub%2Fproj/repository/commits/${sha}/statuses?name=kustomization%2Fapps%2F0c9c2e41`,
    );
    assert.equal(post?.path, `/api/v4/projects/group%2Fsub%2Fproj/statuses/${sha}`);
    assert.equal(post?.headers["private-token"], "glpat");
    assert.deepEqual(JSON.parse(post.body), {
      state: "failed",
      name: "kustomization/apps/0c9c2e41",
      description: "build failed",
    });
  });
});

describe("gitea", () => {
  it("sets the status, pending for Progressing", async () => {
    await gitea(
      { address: `${base}/org/repo`, token: "gt", providerUid, timeoutMs: 2000 },
      flux({ reason: "Progressing" }),
    );
    const post = receiver.posts()[0];
    assert.equal(post?.path, `/api/v1/repos/org/repo/statuses/${sha}`);
    assert.equal(post?.headers.authorization, "token gt");
    assert.deepEqual(JSON.parse(post.body), {
      state: "pending",
      context: "kustomization/apps/0c9c2e41",
      description: "progressing",
      target_url: "",
    });
  });
});

describe("timeouts", () => {
  it("gives up on a slow endpoint with a retryable Timeout", async () => {
    receiver.then(async (_req, res) => {
      await stall(res, 500);
      if (!res.destroyed) res.writeHead(200).end();
    });
    const started = Date.now();
    const err = await generic({ address: `${base}/slow`, timeoutMs: 100 }, flux()).catch((e: unknown) => e);
    assert.ok(err instanceof NotificationError);
    assert.equal(err.reason, "Timeout");
    assert.equal(err.retryable, true);
    assert.ok(Date.now() - started < 450);
  });
});
