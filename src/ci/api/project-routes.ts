/**
 * Projects (ci/projects/project.ts): `PUT /api/v1/teams/:team/projects/:project` registers or
 * updates one — its repository credentials written to the Secret `<project>.repo` of the team's
 * namespace, never answered back — and checks its repository at once, so the first push runs.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { RequestContext, Router } from "../../http/router.ts";
import { saveProjectPipeline } from "../engine/projects/save-project.ts";
import {
  CREDENTIALS_SECRET_SUFFIX,
  defaultCiFile,
  jobNamesOf,
  projectOf,
  projectPipelineYaml,
  ProjectSetupError,
  REPO_RESOURCE,
  webhookTokenOf,
  type ProjectSpec,
} from "../projects/project.ts";
import { authorizedTeam, type ApiDeps } from "./context.ts";
import { ApiError, checkedName } from "./errors.ts";
import { handled, readJsonObject, sendJson } from "./respond.ts";

const ProjectRequest = z.strictObject({
  format: z.enum(["gitlab", "github"]),
  repo: z.string().min(1),
  branch: z.string().min(1).optional(),
  file: z.string().min(1).optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  private_key: z.string().optional(),
  variables_secret: z.string().min(1).optional(),
  default_image: z.string().min(1).optional(),
});
type ProjectRequest = z.infer<typeof ProjectRequest>;

function credentialsOf(request: ProjectRequest): {
  kind: ProjectSpec["credentials"];
  data: Record<string, string>;
} {
  const basic = request.username !== undefined || request.password !== undefined;
  if (basic && request.private_key !== undefined)
    throw new ApiError(400, "give a username and password or a private key, not both");
  if (basic) {
    if (!request.username || !request.password)
      throw new ApiError(400, "a username needs a password, and a password a username");
    return { kind: "basic", data: { username: request.username, password: request.password } };
  }
  if (request.private_key !== undefined) return { kind: "ssh", data: { private_key: request.private_key } };
  return { kind: "none", data: {} };
}

export function projectRoutes(router: Router, deps: ApiDeps): void {
  const { store, engine } = deps;
  router.on(
    "POST",
    "/api/v1/teams/:team/projects/:project/runs",
    handled((ctx) => runProject(deps, ctx)),
  );
  router.on(
    "PUT",
    "/api/v1/teams/:team/projects/:project",
    handled(async (ctx) => {
      const team = await authorizedTeam(deps, ctx);
      const name = checkedName("project name", ctx.params["project"] ?? "");
      const parsedRequest = ProjectRequest.safeParse(await readJsonObject(ctx.req));
      if (!parsedRequest.success)
        throw new ApiError(
          400,
          `invalid project: ${parsedRequest.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
        );
      const request = parsedRequest.data;
      const credentials = credentialsOf(request);
      const existing = await store.getPipeline({ team, name });
      if (existing && !projectOf(existing.configYaml))
        throw new ApiError(409, `pipeline ${team}/${name} exists and is not a project`);
      if (credentials.kind !== "none") {
        if (!deps.secrets)
          throw new ApiError(
            400,
            "this server has no credential manager to keep the repository's credentials",
          );
        await deps.secrets.apply(team, `${name}${CREDENTIALS_SECRET_SUFFIX}`, credentials.data);
      }
      const spec: ProjectSpec = {
        format: request.format,
        repo: request.repo,
        branch: request.branch ?? "main",
        file: request.file ?? defaultCiFile(request.format),
        credentials: credentials.kind,
        ...(request.variables_secret && { variables_secret: request.variables_secret }),
        ...(request.default_image && { default_image: request.default_image }),
      };
      const webhookToken =
        (existing && webhookTokenOf(existing.configYaml)) ?? randomBytes(16).toString("hex");
      const configYaml = projectPipelineYaml(
        spec,
        existing ? jobNamesOf(existing.configYaml) : [],
        webhookToken,
      );
      const saved = await saveProjectPipeline(store, {
        team,
        name,
        configYaml,
        expectedVersion: existing?.configVersion ?? 0,
      }).catch((error: unknown) => {
        if (error instanceof ProjectSetupError) throw new ApiError(400, error.message);
        throw error;
      });
      if (!saved.ok) throw new ApiError(409, `project ${team}/${name} changed concurrently; try again`);
      void engine.checkResource(saved.pipeline.id, REPO_RESOURCE).catch(() => undefined);
      sendJson(ctx.res, saved.created ? 201 : 200, {
        name,
        format: spec.format,
        repo: spec.repo,
        branch: spec.branch,
        file: spec.file,
        credentials: spec.credentials,
        webhook_path: `/api/v1/teams/${encodeURIComponent(team)}/pipelines/${encodeURIComponent(name)}/resources/${REPO_RESOURCE}/check/webhook?webhook_token=${webhookToken}`,
      });
    }),
  );
}

/** `POST …/projects/NAME/runs`: the repository checked now, then its head run as requested. */
async function runProject(deps: ApiDeps, ctx: RequestContext): Promise<void> {
  const { store, engine } = deps;
  const team = await authorizedTeam(deps, ctx);
  const name = ctx.params["project"] ?? "";
  const pipeline = await store.getPipeline({ team, name });
  if (!pipeline || !projectOf(pipeline.configYaml))
    throw new ApiError(404, `project ${team}/${name} not found`);
  if (!deps.projects) throw new ApiError(503, "projects do not run on this server");
  const check = await engine.checkResource(pipeline.id, REPO_RESOURCE);
  if (check.error !== undefined) throw new ApiError(502, `the repository cannot be checked: ${check.error}`);
  deps.projects.runNow(pipeline.id);
  sendJson(ctx.res, 202, { name, queued: true });
}
