#!/usr/bin/env bash
# Installs the Debian packages the real environment needs, only when missing.
set -euo pipefail
packages=(docker-registry bubblewrap runc containerd containernetworking-plugins iproute2 git openssl ca-certificates openssh-client openssh-server mmdebstrap postgresql chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "[setup-debian] installing: ${missing[*]}" >&2
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "[setup-debian] FAILED: apt-get install ${missing[*]}. Run it by hand to see why." >&2; exit 1; }
fi
# The packages start system services (a registry on :5000, sshd on :22, PostgreSQL on :5432, containerd); Sluice runs its own
# per environment on free loopback ports.
for service in docker-registry ssh postgresql containerd; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
    $sudo systemctl disable --now "$service" >/dev/null 2>&1 || true
  fi
done
