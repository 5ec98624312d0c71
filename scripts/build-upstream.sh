#!/usr/bin/env bash
# Builds the pinned upstream binaries the real test environment needs, from the
# official Go modules through the Go module proxy, cached by version under
# $SLUICE_CACHE/upstream/<tool>-<version>/. Idempotent and resumable: a tool
# whose cache directory is complete is skipped; a failed step names itself.
#
# usage: scripts/build-upstream.sh [tool ...]   (default: all)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.sh
source "$here/versions.sh"

cache="${SLUICE_CACHE:-$HOME/.cache/sluice}"
work="$cache/gobuild"
mkdir -p "$cache/upstream" "$work"
export GOFLAGS="-buildvcs=false -mod=mod"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
export CGO_ENABLED=0

step() { printf '[build-upstream] %s\n' "$*" >&2; }
fail() { printf '[build-upstream] FAILED at step "%s". %s\n' "$1" "$2" >&2; exit 1; }

command -v go >/dev/null || fail "find go" "Install Go (https://go.dev/dl) or put it on PATH."

# wrapper_module DIR MODULE VERSION COMPANION_VERSION
# Writes a go.mod requiring MODULE@VERSION whose replace directives point the
# upstream module's local (./staging, ../) replace targets at their published
# versions, so `go build` works outside the upstream repository.
wrapper_module() {
  local dir="$1" mod="$2" ver="$3" companion="$4"
  mkdir -p "$dir"
  local upstream_mod
  upstream_mod="$(go mod download -json "$mod@$ver" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
  [ -f "$upstream_mod" ] || return 1
  {
    echo "module sluice.local/build/$(basename "$dir")"
    echo
    grep -E '^go [0-9]' "$upstream_mod"
    grep -E '^godebug ' "$upstream_mod" || true
    echo
    echo "require $mod $ver"
    echo
    # local replaces: "M => ./x" or "M => ../x" -> "M => M companion"
    sed -n -E 's#^[[:space:]]*(replace[[:space:]]+)?([^[:space:]]+)[[:space:]]+=>[[:space:]]+\.\.?/.*#\2#p' "$upstream_mod" \
      | grep -v FORBIDDEN | while read -r m; do
          [ "$m" = "go.etcd.io/etcd" ] || [ "$m" = "go.etcd.io/tests/v3" ] && continue
          echo "replace $m => $m $companion"
        done
    # non-local replaces are kept as they are
    sed -n -E 's#^[[:space:]]*(replace[[:space:]]+)?([^[:space:]]+( v[^[:space:]]+)?[[:space:]]+=>[[:space:]]+[^.[:space:]][^[:space:]]*[[:space:]]+v[^[:space:]]+)$#replace \2#p' "$upstream_mod"
  } >"$dir/go.mod"
  : >"$dir/go.sum"
}

# build TOOL VERSION MODULE COMPANION LDFLAGS PKG...
build() {
  local tool="$1" ver="$2" mod="$3" companion="$4" ldflags="$5"; shift 5
  local out="$cache/upstream/$tool-$ver"
  if [ -f "$out/.complete" ]; then step "$tool $ver: cached in $out"; return 0; fi
  local start=$SECONDS
  step "$tool $ver: preparing wrapper module"
  wrapper_module "$work/$tool-$ver" "$mod" "$ver" "$companion" \
    || fail "$tool: download $mod@$ver" "Check access to the Go module proxy (go env GOPROXY) and retry; the download resumes."
  step "$tool $ver: building $* (this can take many minutes on 2 cores)"
  mkdir -p "$out.tmp"
  local pkg
  for pkg in "$@"; do
    # PKG=NAME names the binary; otherwise go names it after the package
    local target="$out.tmp/"; [[ "$pkg" == *=* ]] && target="$out.tmp/${pkg#*=}"
    (cd "$work/$tool-$ver" && go build -trimpath -ldflags "-s -w $ldflags" -o "$target" "${pkg%%=*}") || return 1
  done || fail "$tool: go build" "See the compiler output above; rerun the same command to resume (finished packages are cached)."
  rm -rf "$out" && mv "$out.tmp" "$out" && touch "$out/.complete"
  step "$tool $ver: done in $((SECONDS - start))s -> $out"
}

k8s_ldflags() {
  local v="$K8S_VERSION" minor
  minor="$(echo "$v" | cut -d. -f2)"
  local date; date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  local f=""
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    f+=" -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$date -X $p.gitCommit=0000000000000000000000000000000000000000"
  done
  echo "$f"
}

build_kubernetes() {
  build kubernetes "$K8S_VERSION" k8s.io/kubernetes "v0.${K8S_VERSION#v1.}" "$(k8s_ldflags)" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
}
# The node's binaries: a separate cache entry, so the control plane's stays valid.
build_kubenode() {
  build kubernetes-node "$K8S_VERSION" k8s.io/kubernetes "v0.${K8S_VERSION#v1.}" "$(k8s_ldflags)" \
    k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy
}
build_etcd() {
  build etcd "$ETCD_VERSION" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "" go.etcd.io/etcd/server/v3=etcd
}
build_kwok() {
  build kwok "$KWOK_VERSION" sigs.k8s.io/kwok "$KWOK_VERSION" \
    "-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok
}
build_kustomize() {
  build kustomize "$KUSTOMIZE_VERSION" sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION" \
    "-X sigs.k8s.io/kustomize/api/provenance.version=$KUSTOMIZE_VERSION" sigs.k8s.io/kustomize/kustomize/v5=kustomize
}
build_helm() {
  build helm "$HELM_VERSION" helm.sh/helm/v3 "$HELM_VERSION" \
    "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" helm.sh/helm/v3/cmd/helm
}

build_buildkit() {
  build buildkit "$BUILDKIT_VERSION" github.com/moby/buildkit "$BUILDKIT_VERSION" \
    "-X github.com/moby/buildkit/version.Version=$BUILDKIT_VERSION" \
    github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl
}

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(etcd kwok kustomize kubernetes kubenode helm buildkit)
for t in "${tools[@]}"; do "build_$t"; done
