/**
 * The offline base images: what each is built from (Debian bookworm packages) and the public
 * names it is mirrored under. Tag rule: `latest`, the tags of the version Debian really ships,
 * and the tags this repository's pipelines and tests already name (they get what Debian ships;
 * the image's labels say which versions that is). See docs/adr/0022-offline-base-images.md.
 */
import type { UpstreamBinary } from "../../common/toolchain.ts";

export const debianSuite = "bookworm";

export const debianSources: readonly string[] = [
  "deb http://deb.debian.org/debian bookworm main",
  "deb http://deb.debian.org/debian bookworm-updates main",
  "deb http://deb.debian.org/debian-security bookworm-security main",
];

/** Bump when the image's making changes outside the recipes, mmdebstrap's arguments and the hook (the layout writer): every image rebuilds. */
export const recipeVersion = 2;

/** File times in the layers and the configs' `created`: 2025-01-01T00:00:00Z. */
export const sourceDateEpoch = 1735689600;

export const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface BaseImageRecipe {
  name: string;
  description: string;
  /** `debian`: a minbase root (dpkg, apt, bash) plus `packages`; `busybox`: busybox-static's files and applet links only. */
  kind: "debian" | "busybox";
  /** Debian packages installed (without recommends); their versions go into the image's labels. */
  packages: readonly string[];
  /** One file taken from a package's .deb without installing it, when installing would bring a daemon. */
  fromDeb?: { package: string; file: string };
  /** A pinned upstream binary from the cache (scripts/build-upstream.sh), copied to /usr/local/bin. */
  upstream?: UpstreamBinary;
  env: Readonly<Record<string, string>>;
  cmd: readonly string[];
  /** Repository under the mirror prefix (`docker.io/library/golang`) → its tags. */
  mirrors: Readonly<Record<string, readonly string[]>>;
}

/** Tags of a release `vX.Y.Z`: X, X.Y and X.Y.Z. */
function releaseTags(version: string): string[] {
  const [major, minor, patch] = version.replace(/^v/, "").split(".");
  return [`${major}`, `${major}.${minor}`, `${major}.${minor}.${patch}`];
}

/** The seeds' tags too: their Go builds need only the toolchain. */
const golangTags = ["latest", "1", "1.19", "1.19-bookworm", "bookworm", "1.22", "1.22.4-alpine3.20"];

/** The images of busybox-static alone: the shell and a real node's Pod sandbox. */
const busyboxImages: BaseImageRecipe[] = [
  {
    name: "busybox",
    description: "busybox-static from Debian bookworm with its applet links",
    kind: "busybox",
    packages: ["busybox-static"],
    env: { PATH: defaultPath },
    cmd: ["/bin/sh"],
    mirrors: { "docker.io/library/busybox": ["latest", "1", "1.35", "1.36", "1.37", "stable"] },
  },
  {
    // a Pod's sandbox holds its namespaces and waits: what registry.k8s.io/pause does
    name: "pause",
    description: "busybox-static from Debian bookworm, sleeping: a real node's Pod sandbox",
    kind: "busybox",
    packages: ["busybox-static"],
    env: { PATH: defaultPath },
    cmd: ["/bin/sleep", "2147483647"],
    mirrors: { "registry.k8s.io/pause": ["latest", "3.9", "3.10"] },
  },
];

/** Every base image, given the pins of scripts/versions.sh (helm's tags follow HELM_VERSION). */
export function baseImageRecipes(pins: Readonly<Record<string, string>>): BaseImageRecipe[] {
  const helmVersion = pins["HELM_VERSION"];
  if (helmVersion === undefined) throw new Error("scripts/versions.sh has no HELM_VERSION");
  const shell = ["/bin/bash"];
  const env = { PATH: defaultPath };
  return [
    {
      name: "debian",
      description: "Debian bookworm minbase",
      kind: "debian",
      packages: [],
      env,
      cmd: shell,
      mirrors: {
        "docker.io/library/debian": ["latest", "bookworm", "bookworm-slim", "12", "12-slim", "stable-slim"],
        "docker.io/library/ubuntu": ["latest", "22.04", "24.04", "jammy", "noble"],
        "docker.io/library/alpine": ["latest", "3", "3.19", "3.20", "3.21"],
      },
    },
    {
      name: "git",
      description: "Debian bookworm minbase with git, curl, ca-certificates and the OpenSSH client",
      kind: "debian",
      packages: ["git", "curl", "ca-certificates", "openssh-client"],
      env,
      cmd: shell,
      mirrors: { "docker.io/alpine/git": ["latest", "v2", "2", "2.39", "v2.45.1"] },
    },
    {
      name: "golang",
      description: "Debian bookworm minbase with Debian's Go (no C compiler: CGO_ENABLED=0)",
      kind: "debian",
      packages: ["golang-go", "git", "ca-certificates"],
      env: { PATH: `/go/bin:/usr/lib/go/bin:${defaultPath}`, GOPATH: "/go", CGO_ENABLED: "0" },
      cmd: shell,
      mirrors: { "docker.io/library/golang": golangTags },
    },
    ...busyboxImages,
    {
      name: "node",
      description: "Debian bookworm minbase with Debian's Node.js (without npm)",
      kind: "debian",
      packages: ["nodejs", "ca-certificates"],
      env,
      cmd: shell,
      mirrors: { "docker.io/library/node": ["latest", "18", "18-bookworm", "lts", "22"] },
    },
    {
      name: "helm",
      description: `Debian bookworm minbase with git, ca-certificates and the pinned helm ${helmVersion}`,
      kind: "debian",
      packages: ["git", "ca-certificates"],
      upstream: "helm",
      env,
      cmd: shell,
      mirrors: { "docker.io/alpine/helm": ["latest", ...releaseTags(helmVersion), "3.15.1"] },
    },
    {
      name: "docker",
      description: "Debian bookworm minbase with the Docker CLI of Debian's docker.io (no daemon)",
      kind: "debian",
      packages: ["ca-certificates"],
      fromDeb: { package: "docker.io", file: "/usr/bin/docker" },
      env,
      cmd: shell,
      mirrors: { "docker.io/library/docker": ["latest", "cli", "20", "20.10", "20.10-cli", "27.1.1"] },
    },
  ];
}
