/** Policies the golden files in testdata/setters are written against. */
import type { PolicyImage } from "../setters.ts";

export const goldenPolicies: ReadonlyMap<string, PolicyImage> = new Map<string, PolicyImage>([
  ["flux-system:podinfo", { name: "ghcr.io/stefanprodan/podinfo", tag: "6.5.4" }],
  [
    "flux-system:podinfo-digest",
    {
      name: "ghcr.io/stefanprodan/podinfo",
      tag: "6.5.4",
      digest: "sha256:6129bb944cada32b4662eafd13fd9904d34c77286bf2ec4523eaedb711757cb0",
    },
  ],
  ["flux-system:busybox", { name: "docker.io/library/busybox", tag: "1.37" }],
  [
    "apps:web",
    {
      name: "registry.example.com/team/web",
      tag: "1.10",
      digest: "sha256:2222222222222222222222222222222222222222222222222222222222222222",
    },
  ],
  ["apps:worker", { name: "registry.example.com/team/worker", tag: "2024.01.15" }],
]);
