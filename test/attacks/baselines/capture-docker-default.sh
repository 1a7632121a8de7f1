#!/usr/bin/env bash
# Regenerates docker-default-seccomp.json and docker-default-capabilities.json from the INSTALLED
# dockerd: Docker builds its default seccomp profile at container-create time (filtered by kernel
# version and by the container's capabilities), so the only faithful copy is the one it hands to
# the runtime. We register a "capture" runtime that copies config.json aside and then execs runc,
# start a private dockerd that touches nothing else, run one container with --network none, and
# stop everything we started by pid.
#
# Usage (root): test/attacks/baselines/capture-docker-default.sh
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
for bin in dockerd docker runc busybox python3; do
  command -v "$bin" >/dev/null || { echo "capture-docker-default: '$bin' not found; install it (see scripts/install-system-deps.sh)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "capture-docker-default: must run as root (it starts a private dockerd)" >&2; exit 1; }

W="$(mktemp -d /tmp/openclaw-dockercap.XXXXXX)"
DOCKERD_PID=""
cleanup() {
  if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    kill "$DOCKERD_PID"
    for _ in $(seq 1 50); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
  fi
  # dockerd leaves overlay mounts only while containers exist; --rm removed ours. Unmount leftovers under W only.
  { grep -o " $W[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf "$W"
}
trap 'set +e; cleanup' EXIT

mkdir -p "$W/data" "$W/exec" "$W/rootfs/bin"
cat >"$W/capture-runtime" <<EOF
#!/bin/sh
# Copy the bundle's config.json on create, then behave exactly like runc.
prev=""
for a in "\$@"; do
  if [ "\$prev" = "--bundle" ] || [ "\$prev" = "-b" ]; then cp "\$a/config.json" "$W/captured-config.json"; fi
  prev="\$a"
done
exec runc "\$@"
EOF
chmod 0755 "$W/capture-runtime"
cat >"$W/daemon.json" <<EOF
{ "runtimes": { "capture": { "path": "$W/capture-runtime" } } }
EOF

dockerd --data-root "$W/data" --exec-root "$W/exec" --pidfile "$W/dockerd.pid" -H "unix://$W/docker.sock" \
  --bridge=none --iptables=false --ip-masq=false --config-file "$W/daemon.json" >"$W/dockerd.log" 2>&1 &
DOCKERD_PID=$!
export DOCKER_HOST="unix://$W/docker.sock"
for _ in $(seq 1 100); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
docker info >/dev/null 2>&1 || { echo "capture-docker-default: private dockerd did not start; log:" >&2; tail -20 "$W/dockerd.log" >&2; exit 1; }

cp "$(command -v busybox)" "$W/rootfs/bin/busybox"
ln -s busybox "$W/rootfs/bin/true"
tar -C "$W/rootfs" -c . | docker import - openclaw-capture:latest >/dev/null
docker run --rm --network none --runtime capture openclaw-capture:latest /bin/true
[ -s "$W/captured-config.json" ] || { echo "capture-docker-default: the capture runtime saw no config.json" >&2; exit 1; }
docker rmi openclaw-capture:latest >/dev/null

DOCKER_VERSION="$(docker version --format '{{.Server.Version}}')"
python3 - "$W/captured-config.json" "$HERE" "$DOCKER_VERSION" "$(uname -r)" <<'PY'
import json, sys
src, out, version, kernel = sys.argv[1:]
cfg = json.load(open(src))
note = f"Captured from dockerd {version} on kernel {kernel} by capture-docker-default.sh; do not edit by hand."
seccomp = cfg["linux"]["seccomp"]
json.dump({"_source": note, **seccomp}, open(f"{out}/docker-default-seccomp.json", "w"), indent=1)
open(f"{out}/docker-default-seccomp.json", "a").write("\n")
caps = cfg["process"]["capabilities"]
json.dump({"_source": note, **caps}, open(f"{out}/docker-default-capabilities.json", "w"), indent=1)
open(f"{out}/docker-default-capabilities.json", "a").write("\n")
print(f"wrote {out}/docker-default-seccomp.json ({len(seccomp.get('syscalls', []))} rules) and docker-default-capabilities.json")
PY
