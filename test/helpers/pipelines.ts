/** Pipeline YAML the CI tests share: the `tick` time resource and jobs running a busybox script. */

/** `resources:` with the time resource `tick` (hourly, so it changes only when checked). */
export const tickResources = "resources:\n  - { name: tick, type: time, source: { interval: 1h } }\n";

/**
 * A job (YAML, indented as an item of `jobs:`) that gets `tick` (after `passed`) unless `get` is
 * false, then runs `script` with `sh -ec` in the base images' busybox.
 */
export function busyboxJob(
  name: string,
  script: string,
  options: { get?: boolean; passed?: string[]; task?: string } = {},
): string {
  const get =
    options.get === false
      ? ""
      : `      - get: tick\n${options.passed ? `        passed: [${options.passed.join(", ")}]\n` : ""}`;
  return `  - name: ${name}
    plan:
${get}      - task: ${options.task ?? "run"}
        config:
          platform: linux
          image_resource: { type: registry-image, source: { repository: busybox, tag: "1.36" } }
          run: { path: sh, args: [-ec, ${JSON.stringify(script)}] }
`;
}
