#!/usr/bin/env bash
# Builds the containment probe (test/attacks/probe.c) as one static binary that runs inside any
# rootfs. Idempotent: rebuilds only when probe.c (or this script) is newer than the binary.
# Usage: scripts/build-probe.sh [--force]   prints the binary's path on stdout.
# Needs: gcc, static glibc (libc.a) and kernel headers, i.e. Debian's gcc and libc6-dev
# (libc6-dev brings linux-libc-dev).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/test/attacks/probe.c"
out_dir="$root/test/attacks/build"
out="$out_dir/probe"
CC="${CC:-gcc}"

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "build-probe: '$CC' not found; install gcc (Debian: apt-get install gcc libc6-dev, or scripts/install-system-deps.sh)" >&2
  exit 1
fi
libc_a="$("$CC" -print-file-name=libc.a)"
if [ "$libc_a" = "libc.a" ] || [ ! -f "$libc_a" ]; then
  echo "build-probe: static glibc (libc.a) not found for $CC; install libc6-dev (apt-get install libc6-dev)" >&2
  exit 1
fi
if [ ! -f /usr/include/linux/openat2.h ] && ! echo '#include <linux/openat2.h>' | "$CC" -E -x c - >/dev/null 2>&1; then
  echo "build-probe: kernel headers (linux/openat2.h) missing; install linux-libc-dev (comes with libc6-dev)" >&2
  exit 1
fi

if [ "${1:-}" != "--force" ] && [ -x "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "$0" ]; then
  echo "$out"
  exit 0
fi

mkdir -p "$out_dir"
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
# -pthread: the thread probes; static so the rootfs needs no libc. Renamed into place so a
# concurrent reader never sees half a binary.
"$CC" -static -O2 -Wall -Wextra -Wno-unused-parameter -pthread -o "$tmp" "$src"
mv -f "$tmp" "$out"
echo "$out"
