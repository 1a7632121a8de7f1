#!/usr/bin/env bash
# Installs the host tools openclaw-runtime runs on and is tested against, from Debian's
# packages: runc and crun (the low-level runtimes we wrap), busybox-static (test rootfs),
# dockerd, containerd (with its CRI plugin) and podman (end-to-end tests), the CNI plugins
# (a pod's network namespace for CRI tests), mmdebstrap (the real Debian python image),
# gcc/libseccomp (the attack probe and the native addon), musl-tools (the native launcher's
# libc: its start-up is ~0.3 ms shorter than glibc's, paid by every pass-through command).
# Idempotent: it only calls apt-get for packages that are missing.
set -euo pipefail

packages=(runc crun busybox-static docker.io containerd podman containernetworking-plugins mmdebstrap libseccomp-dev seccomp gcc libc6-dev musl-tools g++ make python3 iproute2 util-linux strace)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-system-deps: all present (${packages[*]})"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: missing ${missing[*]}; run this script as root (apt-get needs it)" >&2
  exit 1
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends: docker.io recommends pull in things (apparmor, git, ...) we do not need.
# policy-rc.d keeps the packages' postinst from starting system-wide dockerd/containerd:
# tests start private daemons of their own and stop them by pid.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}"
