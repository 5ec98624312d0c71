#!/bin/sh
# mmdebstrap customize hook for the offline base images (src/dev/base-images/mmdebstrap.ts).
# usage: customize.sh ROOT. Runs on the host after the packages are installed, before mmdebstrap
# cleans apt's lists and cache; what it does is said by the environment:
#   SLUICE_FROM_DEB="PACKAGE:PATH"  take one file out of PACKAGE's .deb without installing PACKAGE
#   SLUICE_ADD_BINARY="FILE"        copy FILE to ROOT/usr/local/bin/
#   SLUICE_TRIM="yes"               remove dpkg/apt leftovers (a root without a package manager)
#   SLUICE_PACKAGES="P1 P2 ..."     record "P=VERSION" of each package in SLUICE_VERSIONS_FILE
set -eu
root="$1"
archives="$root/var/cache/apt/archives"

if [ -n "${SLUICE_FROM_DEB:-}" ]; then
  package="${SLUICE_FROM_DEB%%:*}"
  file="${SLUICE_FROM_DEB#*:}"
  chroot "$root" sh -c "cd /var/cache/apt/archives && apt-get download -q $package" >&2
  dpkg-deb --fsys-tarfile "$archives/${package}"_*.deb | tar -xf - -C "$root" ".$file"
fi

if [ -n "${SLUICE_ADD_BINARY:-}" ]; then
  mkdir -p "$root/usr/local/bin"
  cp "$SLUICE_ADD_BINARY" "$root/usr/local/bin/"
  chmod 0755 "$root/usr/local/bin/$(basename "$SLUICE_ADD_BINARY")"
fi

: >"$SLUICE_VERSIONS_FILE"
for package in $SLUICE_PACKAGES; do
  version="$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Version}' "$package" 2>/dev/null)" ||
    version="$(dpkg-deb -f "$archives/${package}"_*.deb Version)"
  echo "$package=$version" >>"$SLUICE_VERSIONS_FILE"
done

if [ "${SLUICE_TRIM:-}" = yes ]; then
  rm -rf "$root/etc/apt" "$root/etc/dpkg" "$root/var/lib/apt" "$root/var/lib/dpkg" \
    "$root/var/cache/apt" "$root/var/log/apt" "$root/usr/share"
  mkdir -p "$root/root" "$root/var/cache" "$root/var/lib" "$root/proc" "$root/sys"
  chmod 0700 "$root/root"
fi

# The sandbox binds the host's DNS settings over these; the image carries empty ones.
: >"$root/etc/resolv.conf"
: >"$root/etc/hostname"
chmod 0644 "$root/etc/resolv.conf" "$root/etc/hostname"
