#!/bin/sh
# Builds the real-workload test image: a Debian bookworm root file system with python3,
# python3-numpy, python3-pip and ca-certificates, made by mmdebstrap from Debian's packages
# through the host's own apt sources (no registry), and caches it as a tar named by the hash
# of what it is made of (package list, the host's bookworm apt sources, mmdebstrap's arguments).
#
#   scripts/build-python-image.sh [--cache-dir DIR] [--layer DIR --out TAR]
#
# Prints the cached tar's path on stdout (then TAR's, with --out). A tar already in the cache is
# reused (nothing is downloaded); a fresh build took 23 s on an idle 2-core machine here and
# 157-198 s while other work loaded it (mmdebstrap; 217 MiB tar). With --layer, DIR's entries
# that the base lacks are appended (owned by root) and the result is written to TAR (the test
# jobs; the cached base is left as it is). Importing into engines is the caller's job
# (test/helpers/python-image.ts: `docker import`, `podman import`, containerd via `docker save`).
#
# Environment: OPENCLAW_IMAGE_CACHE (default cache dir), OPENCLAW_APT_SOURCES (a sources file
# to use instead of the host's bookworm entries).
set -eu

packages='python3 python3-numpy python3-pip ca-certificates'
suite=bookworm
cache=${OPENCLAW_IMAGE_CACHE:-/var/cache/openclaw-test/images}
layer=''
out=''
while [ $# -gt 0 ]; do
  case "$1" in
    --cache-dir) cache=$2; shift 2 ;;
    --layer) layer=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "build-python-image.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ -n "$layer" ] && [ -z "$out" ]; then
  echo "build-python-image.sh: --layer needs --out" >&2
  exit 2
fi

# The base tar plus the layer's entries the base does not have (a tar may not repeat a path,
# Docker refuses it), written to $out.
add_layer() {
  [ -n "$layer" ] || return 0
  lists=$(mktemp -d -t openclaw-image-lists-XXXXXX)
  tar -tf "$1" | sed -e 's#^\./##' -e 's#/$##' | sort -u > "$lists/base"
  (cd "$layer" && find . -mindepth 1 | sed 's#^\./##' | sort) > "$lists/layer"
  comm -13 "$lists/base" "$lists/layer" | sed 's#^#./#' > "$lists/new"
  cp --reflink=auto "$1" "$out.partial"
  tar --append --no-recursion --numeric-owner --owner=0 --group=0 -f "$out.partial" -C "$layer" -T "$lists/new"
  rm -rf "$lists"
  mv "$out.partial" "$out"
  echo "$out"
}

command -v mmdebstrap >/dev/null 2>&1 || { echo "build-python-image.sh: mmdebstrap not found (apt-get install mmdebstrap)" >&2; exit 3; }

# The host's apt sources for the suite: deb822 stanzas (*.sources) whose Suites name it and
# that are not disabled, and one-line entries (*.list, sources.list) that name it. Only
# Debian's own suites are taken; other repositories the host has are left out.
sources=$(mktemp -t openclaw-image-sources-XXXXXX)
trap 'rm -f "$sources"' EXIT
if [ -n "${OPENCLAW_APT_SOURCES:-}" ]; then
  cat "$OPENCLAW_APT_SOURCES" > "$sources"
else
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" '
      BEGIN { RS = ""; ORS = "\n\n" }
      {
        keep = 0
        n = split($0, lines, "\n")
        for (i = 1; i <= n; i++) {
          if (lines[i] ~ /^Suites:/ && lines[i] ~ ("[ \t]" suite "([- \t]|$)")) keep = 1
          if (lines[i] ~ /^Enabled:[ \t]*no/) { keep = 0; break }
        }
        if (keep) print
      }' "$f" >> "$sources"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    grep -E "^deb[ \t].*[ \t]$suite([- \t]|$)" "$f" >> "$sources" || true
  done
fi
if ! grep -q '[^[:space:]]' "$sources"; then
  echo "build-python-image.sh: no apt source for $suite in /etc/apt (set OPENCLAW_APT_SOURCES)" >&2
  exit 3
fi

# A proxy the host's apt uses is used here too (the host's mirror configuration).
set --
proxy=$(apt-config dump Acquire::http::Proxy 2>/dev/null | sed -n 's/^Acquire::http::Proxy "\(.*\)";$/\1/p' | head -n1)
[ -n "$proxy" ] && set -- --aptopt="Acquire::http::Proxy \"$proxy\""

# The recipe: everything mmdebstrap is given. Its hash (with the package list, the suite and
# the sources) names the cached tar, so a change to any of them builds a new one.
# essential: only Essential:yes packages plus what is asked (apt itself runs outside).
# No recommends (mmdebstrap's default), no docs or man pages, no apt lists left behind.
set -- --variant=essential --mode=root --format=tar \
  --include="$(echo "$packages" | tr ' ' ',')" \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --customize-hook='mkdir -p "$1/input" "$1/output" && chmod 1777 "$1/output"' \
  --customize-hook='rm -rf "$1/var/lib/apt/lists"/* "$1/var/cache/apt"/*' \
  "$@"
hash=$( { echo "$packages"; echo "$suite"; sed -e '/^[[:space:]]*#/d' "$sources"; printf '%s\n' "$@"; } | sha256sum | cut -c1-16)
tar="$cache/python-$suite-$hash.tar"
if [ -s "$tar" ]; then
  echo "build-python-image.sh: reusing $tar" >&2
  echo "$tar"
  add_layer "$tar"
  exit 0
fi

mkdir -p "$cache"
partial="$tar.partial.$$"
trap 'rm -f "$sources" "$partial"' EXIT
start=$(date +%s)
mmdebstrap "$@" "$suite" "$partial" "$sources" >&2
mv "$partial" "$tar"
# Older recipes' tars are of no further use.
for old in "$cache"/python-"$suite"-*.tar; do [ "$old" = "$tar" ] || rm -f "$old"; done
echo "build-python-image.sh: built $tar in $(( $(date +%s) - start )) s ($(du -m "$tar" | cut -f1) MiB)" >&2
echo "$tar"
add_layer "$tar"
