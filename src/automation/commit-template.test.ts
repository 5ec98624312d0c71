import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  checkCommitTemplate,
  ciSkipMarker,
  defaultCommitMessage,
  fluxDefaultCommitMessage,
  ImageRef,
  NamespacedName,
  renderCommitMessage,
  TemplateError,
  templateData,
  type TemplateData,
} from "./commit-template.ts";
import { applySettersToTree, type TreeResult } from "./setters.ts";
import { goldenPolicies } from "./testdata/fixtures.ts";

const automation = { namespace: "flux-system", name: "flux-system" };
const digest = "sha256:6129bb944cada32b4662eafd13fd9904d34c77286bf2ec4523eaedb711757cb0";
const oldDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
const podinfo = "ghcr.io/stefanprodan/podinfo";

/** From the v1 ImageUpdateAutomation spec (Message Template), as the YAML block scalar yields it. */
const v1GuideTemplate = [
  "Automated image update",
  "",
  "Automation name: {{ .AutomationObject }}",
  "",
  "Files:",
  "{{ range $filename, $_ := .Changed.FileChanges -}}",
  "- {{ $filename }}",
  "{{ end -}}",
  "",
  "Objects:",
  "{{ range $resource, $changes := .Changed.Objects -}}",
  "- {{ $resource.Kind }} {{ $resource.Name }}",
  "  Changes:",
  "{{- range $_, $change := $changes }}",
  "    - {{ $change.OldValue }} -> {{ $change.NewValue }}",
  "{{ end -}}",
  "{{ end -}}",
  "",
].join("\n");

const v1GuideExpected = [
  "Automated image update",
  "",
  "Automation name: flux-system/flux-system",
  "",
  "Files:",
  "- apps/deployment.yaml",
  "- apps/kustomization.yaml",
  "Objects:",
  "- Deployment podinfo",
  "  Changes:",
  `    - ${podinfo}:6.0.0 -> ${podinfo}:6.5.4`,
  "",
  "    - docker.io/library/busybox:1.36 -> docker.io/library/busybox:1.37",
  "",
  `    - ${podinfo}:6.0.0@${oldDigest} -> ${podinfo}:6.5.4@${digest}`,
  "- Kustomization ",
  "  Changes:",
  "    - 6.0.0 -> 6.5.4",
  "",
  `    - replaced -> ${podinfo}`,
  "",
  "    - 6.0.0 -> 6.5.4",
  "",
  `    - sha256:1234567890abcdef -> ${digest}`,
  "",
].join("\n");

/** The v1 spec's example with template functions, checking for our tag instead of 5.0.3. */
const v1FunctionsTemplate = [
  "{{ range $resource, $changes := .Changed.Objects -}}",
  "- {{ $resource.Kind | lower }} {{ $resource.Name | lower }}",
  "  Changes:",
  "{{- range $_, $change := $changes }}",
  '  {{ if contains "6.5.4" $change.NewValue -}}',
  "    - {{ $change.OldValue }} -> {{ $change.NewValue }}",
  "  {{ else -}}",
  "    [skip ci] wrong image",
  "  {{ end -}}",
  "{{ end -}}",
  "{{ end -}}",
  "",
].join("\n");

/** Go's trimming keeps the quirks of that template: blank-ish lines of two spaces. */
const v1FunctionsExpected =
  "- deployment podinfo\n  Changes:" +
  `\n  - ${podinfo}:6.0.0 -> ${podinfo}:6.5.4\n  ` +
  "\n  [skip ci] wrong image\n  " +
  `\n  - ${podinfo}:6.0.0@${oldDigest} -> ${podinfo}:6.5.4@${digest}\n  ` +
  "- kustomization \n  Changes:" +
  "\n  - 6.0.0 -> 6.5.4\n  " +
  "\n  [skip ci] wrong image\n  " +
  "\n  - 6.0.0 -> 6.5.4\n  " +
  "\n  [skip ci] wrong image\n  ";

/** From the v1beta1 ImageUpdateAutomation spec (Commit message template data). */
const v1beta1SpecTemplate = [
  "Automated image update",
  "",
  "Automation name: {{ .AutomationObject }}",
  "",
  "Files:",
  "{{ range $filename, $_ := .Updated.Files -}}",
  "- {{ $filename }}",
  "{{ end -}}",
  "",
  "Objects:",
  "{{ range $resource, $_ := .Updated.Objects -}}",
  "- {{ $resource.Kind }} {{ $resource.Name }}",
  "{{ end -}}",
  "",
  "Images:",
  "{{ range .Updated.Images -}}",
  "- {{.}}",
  "{{ end -}}",
  "",
].join("\n");

const v1beta1SpecExpected = [
  "Automated image update",
  "",
  "Automation name: flux-system/flux-system",
  "",
  "Files:",
  "- apps/deployment.yaml",
  "- apps/kustomization.yaml",
  "Objects:",
  "- Deployment podinfo",
  "- Kustomization ",
  "Images:",
  `- ${podinfo}:6.5.4`,
  "- docker.io/library/busybox:1.37",
  `- ${podinfo}:6.5.4@${digest}`,
  "",
].join("\n");

/** Runs the setters over the golden deployment and kustomization, as the controller would. */
async function goldenResult(base: string): Promise<TreeResult> {
  const testdata = path.join(import.meta.dirname, "testdata", "setters");
  const apps = path.join(base, "clusters", "my-cluster", "apps");
  await mkdir(apps, { recursive: true });
  for (const name of ["deployment.yaml", "kustomization.yaml"]) {
    await writeFile(path.join(apps, name), await readFile(path.join(testdata, `${name}.in`)));
  }
  return applySettersToTree(base, goldenPolicies, { path: "./clusters/my-cluster" });
}

describe("commit message templates from Flux's published guides", () => {
  let base: string;
  let data: TemplateData;

  before(async () => {
    base = await mkdtemp(path.join(tmpdir(), "sluice-commit-"));
    data = templateData(automation, await goldenResult(base), { values: { cluster: "prod" } });
  });

  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it("renders `flux create image update --commit-template` (v1beta1 .Updated.Images)", () => {
    assert.equal(
      renderCommitMessage("{{range .Updated.Images}}{{println .}}{{end}}", data),
      `${podinfo}:6.5.4\ndocker.io/library/busybox:1.37\n${podinfo}:6.5.4@${digest}\n`,
    );
  });

  it("renders the v1 guide's template over .Changed.FileChanges and .Changed.Objects", () => {
    assert.equal(renderCommitMessage(v1GuideTemplate, data), v1GuideExpected);
  });

  it("renders the v1 guide's template with functions (lower, contains, if/else)", () => {
    assert.equal(renderCommitMessage(v1FunctionsTemplate, data), v1FunctionsExpected);
  });

  it("renders the v1beta1 spec's template over .Updated.Files, .Updated.Objects and .Updated.Images", () => {
    assert.equal(renderCommitMessage(v1beta1SpecTemplate, data), v1beta1SpecExpected);
  });

  it("renders .Changed.Changes, .Values and the automation's fields", () => {
    const template =
      "Update {{ len .Changed.Changes }} fields by {{ .AutomationObject.Name }} in {{ .AutomationObject.Namespace }}" +
      ' for cluster {{ .Values.cluster }}{{ .Values.missing | printf " (%v)" }}\n' +
      '{{ range .Changed.Changes }}{{ printf "%-28s %s\\n" .Setter .NewValue }}{{ end }}';
    const message = renderCommitMessage(template, data);
    const lines = message.split("\n");
    assert.equal(lines[0], "Update 7 fields by flux-system in flux-system for cluster prod (<no value>)");
    assert.equal(lines[1], `flux-system:podinfo          ${podinfo}:6.5.4`);
    assert.equal(lines.length, 9);
  });

  it("gives the images go-containerregistry's accessors", () => {
    const [first] = data.Updated?.Images() ?? [];
    assert.ok(first instanceof ImageRef);
    assert.equal(
      renderCommitMessage(
        "{{ range .Updated.Images }}{{ .Registry }} {{ .Repository }} {{ .Identifier }} {{ .Name }} {{ .Policy }}\n{{ end }}",
        data,
      ),
      [
        `ghcr.io stefanprodan/podinfo 6.5.4 ${podinfo}:6.5.4 flux-system/podinfo`,
        "index.docker.io library/busybox 1.37 index.docker.io/library/busybox:1.37 flux-system/busybox",
        `ghcr.io stefanprodan/podinfo ${digest} ${podinfo}@${digest} flux-system/podinfo-digest`,
        "",
      ].join("\n"),
    );
    const hub = new ImageRef("nginx:1.27", new NamespacedName("ns", "p"));
    assert.equal(hub.Name(), "index.docker.io/library/nginx:1.27");
  });

  it("fails a v1 template that uses .Updated when .Updated is not offered, with the position", () => {
    const v1 = templateData(automation, { files: [] }, { updated: false });
    assert.throws(
      () => renderCommitMessage("Images:\n{{ range .Updated.Images }}{{ . }}{{ end }}", v1),
      (err: unknown) =>
        err instanceof TemplateError &&
        err.code === "missing-field" &&
        err.phase === "exec" &&
        err.line === 2 &&
        err.column === 10 &&
        err.message.includes("can't evaluate field Updated in type TemplateData"),
    );
  });
});

describe("default commit message", () => {
  const empty = templateData(automation, { files: [] });

  it("is Flux's message followed by [ci skip]", () => {
    assert.equal(fluxDefaultCommitMessage, "Update from image update automation");
    assert.equal(defaultCommitMessage, "Update from image update automation\n\n[ci skip]");
    assert.ok(defaultCommitMessage.endsWith(ciSkipMarker));
    assert.equal(renderCommitMessage(undefined, empty), defaultCommitMessage);
    assert.equal(renderCommitMessage("", empty), defaultCommitMessage);
  });

  it("can leave [ci skip] out", () => {
    assert.equal(renderCommitMessage(undefined, empty, { ciSkip: false }), fluxDefaultCommitMessage);
  });

  it("renders a static template as written", () => {
    assert.equal(
      renderCommitMessage("Automated image update by Flux\n\n[ci skip]\n", empty),
      "Automated image update by Flux\n\n[ci skip]\n",
    );
  });
});

describe("checkCommitTemplate", () => {
  it("returns parse errors with their position, and nothing for a good template", () => {
    assert.equal(checkCommitTemplate("{{ range .Changed.Changes }}{{ .NewValue }}{{ end }}"), undefined);
    const err = checkCommitTemplate("ok\n  {{ .X | frobnicate }}");
    assert.ok(err instanceof TemplateError);
    assert.equal(err.code, "unknown-function");
    assert.equal(err.line, 2);
    assert.equal(err.column, 11);
    assert.equal(err.message, 'template: commit message:2:11: function "frobnicate" not defined');
    assert.equal(checkCommitTemplate("{{ if .X }}")?.code, "unclosed-block");
    assert.equal(checkCommitTemplate("text {{ .X ")?.code, "unclosed-action");
  });
});
