/** The web UI: a shell with the signed-in user and the page of the current path. */
import { html } from "htm/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { hasToken, logout } from "./api.ts";
import { BuildPage } from "./pages/build.ts";
import { DeliveryPage } from "./pages/delivery.ts";
import { HomePage } from "./pages/home.ts";
import { JobPage } from "./pages/job.ts";
import { LoginPage } from "./pages/login.ts";
import { PipelinePage } from "./pages/pipeline.ts";
import { TracePage } from "./pages/trace.ts";
import { Link, navigate, onNavigate } from "./router.ts";
import { forgetUser } from "./user.ts";
import "./style.css";

type Params = Record<string, string>;
const routes: [RegExp, (p: Params) => ReturnType<typeof html>][] = [
  [/^\/$/, () => html`<${HomePage} />`],
  [
    /^\/cd\/(?<kind>[^/]+)\/(?<namespace>[^/]+)\/(?<name>[^/]+)$/,
    (p) => html`<${DeliveryPage} kind=${p["kind"]} namespace=${p["namespace"]} name=${p["name"]} />`,
  ],
  [/^\/login$/, () => html`<${LoginPage} />`],
  [
    /^\/trace\/(?<from>builds|workloads)\/(?<target>.+)$/,
    (p) => html`<${TracePage} from=${p["from"]} target=${p["target"]} />`,
  ],
  [/^\/builds\/(?<id>\d+)$/, (p) => html`<${BuildPage} id=${Number(p["id"])} />`],
  [
    /^\/teams\/(?<team>[^/]+)\/pipelines\/(?<pipeline>[^/]+)\/jobs\/(?<job>[^/]+)$/,
    (p) => html`<${JobPage} team=${p["team"]} pipeline=${p["pipeline"]} job=${p["job"]} />`,
  ],
  [
    /^\/teams\/(?<team>[^/]+)\/pipelines\/(?<pipeline>[^/]+)$/,
    (p) => html`<${PipelinePage} team=${p["team"]} pipeline=${p["pipeline"]} />`,
  ],
];

function page(path: string) {
  for (const [pattern, view] of routes) {
    const match = pattern.exec(path);
    if (match)
      return view(
        Object.fromEntries(Object.entries(match.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)])),
      );
  }
  return html`<main>
    <h1>Not found</h1>
    <p>No page at ${path}. <${Link} href="/">All pipelines<//></p>
  </main>`;
}

function App() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => onNavigate(() => setPath(location.pathname)), []);
  useEffect(() => {
    if (path !== "/login" && !hasToken()) navigate(`/login?next=${encodeURIComponent(path)}`);
  }, [path]);
  return html`<div class="shell">
    <nav class="top" aria-label="main">
      <${Link} href="/" class="brand">Sluice<//>
      ${hasToken() && html`<button class="link" onClick=${() => (logout(), forgetUser(), navigate("/login"))}>Log out</button>`}
    </nav>
    ${path !== "/login" && !hasToken() ? null : page(path)}
  </div>`;
}

render(html`<${App} />`, document.getElementById("app")!);
