/**
 * A built single-page app under `/`: its fingerprinted files (`/assets/…`) cached for good, any
 * other path answered with `index.html` (never cached) so client-side routes load; gzip when the
 * client takes it. Files are read once and kept in memory (the build is small and fixed). Paths
 * under `reserved` prefixes (the API) stay 404 rather than becoming the app.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { RequestContext, Router } from "./router.ts";
import { acceptsGzip, sendText } from "./respond.ts";

const types: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".json": "application/json",
};

interface StaticFile {
  body: Buffer;
  gzipped: Buffer;
  type: string;
}

function staticFile(name: string, body: Buffer): StaticFile {
  return { body, gzipped: gzipSync(body), type: types[path.extname(name)] ?? "application/octet-stream" };
}

async function loadAssets(dir: string): Promise<Map<string, StaticFile>> {
  const assets = new Map<string, StaticFile>();
  const names = await readdir(path.join(dir, "assets")).catch(() => [] as string[]);
  for (const name of names)
    assets.set(name, staticFile(name, await readFile(path.join(dir, "assets", name))));
  return assets;
}

function send(ctx: RequestContext, file: StaticFile, cacheControl: string): void {
  const gzip = acceptsGzip(ctx.req);
  const body = gzip ? file.gzipped : file.body;
  ctx.res.writeHead(200, {
    "Content-Type": file.type,
    "Content-Length": String(body.length),
    "Cache-Control": cacheControl,
    Vary: "Accept-Encoding",
    "X-Content-Type-Options": "nosniff",
    ...(gzip && { "Content-Encoding": "gzip" }),
  });
  ctx.res.end(ctx.req.method === "HEAD" ? undefined : body);
}

export interface SinglePageAppOptions {
  /** The build's directory: `index.html` and `assets/`. */
  dir: string;
  /** Path prefixes that are not the app's (`/api/`): unknown paths there stay 404. */
  reserved: readonly string[];
  /** What to say when the app was not built. */
  missing: string;
}

export async function singlePageApp(router: Router, options: SinglePageAppOptions): Promise<void> {
  const index = await readFile(path.join(options.dir, "index.html")).catch(() => undefined);
  const assets = await loadAssets(options.dir);
  const page = index && staticFile("index.html", index);
  router.on(["GET", "HEAD"], "/assets/*", (ctx) => {
    const file = assets.get(ctx.params["*"] ?? "");
    if (!file) return sendText(ctx.res, 404, "not found");
    send(ctx, file, "public, max-age=31536000, immutable");
  });
  const app = (ctx: RequestContext) => {
    const url = ctx.req.url ?? "/";
    if (options.reserved.some((prefix) => url.startsWith(prefix))) return sendText(ctx.res, 404, "not found");
    if (!page) return sendText(ctx.res, 503, options.missing);
    send(ctx, page, "no-cache");
  };
  router.on(["GET", "HEAD"], "/", app);
  router.on(["GET", "HEAD"], "/*", app);
}
