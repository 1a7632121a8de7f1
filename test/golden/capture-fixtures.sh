#!/usr/bin/env bash
# Regenerates the golden inputs: the config.json that Docker 20.10 and containerd 1.6 (ctr)
# hand to their runtime for a busybox container, captured with a "capture" runtime that
# copies config.json aside and then execs runc. Private daemons under a temp dir, stopped by
# the pid we started; containers with --network none. Run as root; rarely needed (the
# fixtures are committed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/fixtures"
w="$(mktemp -d /tmp/openclaw-golden.XXXXXX)"
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done; kill -9 "$p" 2>/dev/null; done
  grep -o " $w[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
  rm -rf "$w"
}
trap cleanup EXIT

cat > "$w/capture" <<SH
#!/bin/sh
# capture runtime: keep the first config.json seen at create, then behave as runc
prev=""; for a in "\$@"; do
  if [ "\$prev" = "--bundle" ] || [ "\$prev" = "-b" ]; then cp "\$a/config.json" "$w/captured.\$(basename "\$a").json"; fi
  prev="\$a"
done
exec runc "\$@"
SH
chmod +x "$w/capture"

mkdir -p "$w/rootfs/bin"
cp /bin/busybox "$w/rootfs/bin/"; for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$w/rootfs/bin/$a"; done

# Docker
echo '{"runtimes":{"capture":{"path":"'"$w"'/capture"}}}' > "$w/daemon.json"
dockerd --data-root "$w/docker" --exec-root "$w/dexec" --pidfile "$w/dockerd.pid" -H "unix://$w/docker.sock" \
  --bridge=none --iptables=false --ip-masq=false --config-file "$w/daemon.json" >"$w/dockerd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do docker -H "unix://$w/docker.sock" info >/dev/null 2>&1 && break; sleep 0.2; done
tar -C "$w/rootfs" -c . | docker -H "unix://$w/docker.sock" import - openclaw-golden/busybox >/dev/null
docker -H "unix://$w/docker.sock" run --rm --runtime=capture --network none openclaw-golden/busybox /bin/true
cp "$(ls "$w"/captured.*.json | head -1)" "$out/docker-20.10-busybox.config.json"
docker -H "unix://$w/docker.sock" save openclaw-golden/busybox -o "$w/img.tar"
rm -f "$w"/captured.*.json

# containerd (ctr, no CRI)
cat > "$w/containerd.toml" <<TOML
version = 2
root = "$w/containerd-root"
state = "$w/containerd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
address = "$w/containerd.sock"
TOML
containerd --config "$w/containerd.toml" >"$w/containerd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do ctr -a "$w/containerd.sock" version >/dev/null 2>&1 && break; sleep 0.2; done
ctr -a "$w/containerd.sock" -n golden images import "$w/img.tar" >/dev/null
ctr -a "$w/containerd.sock" -n golden run --rm --runc-binary "$w/capture" docker.io/openclaw-golden/busybox:latest golden1 /bin/true
cp "$(ls "$w"/captured.*.json | head -1)" "$out/containerd-1.6-busybox.config.json"
echo "captured: $(ls "$out")"
