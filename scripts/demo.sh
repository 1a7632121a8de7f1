#!/usr/bin/env bash
# The README's first command: on a fresh Debian machine (as root), install what is needed,
# then run a real sandboxed container through openclaw-runtime with a shipped profile, show
# what the profile changed in config.json, and what the kernel says inside the container
# compared with the same bundle under plain runc.
#   usage: sudo scripts/demo.sh [--python] [PROFILE]     (default: default)
# --python: instead of busybox, a Debian bookworm image with python3 and numpy
# (scripts/build-python-image.sh, mmdebstrap from the host's apt sources, cached) runs a small
# Python job under the profile, through openclaw-runtime and runc.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python=0
if [ "${1:-}" = "--python" ]; then python=1; shift; fi
profile="${1:-default}"
bash "$root/scripts/setup.sh" >/dev/null
shim="$root/bin/openclaw-runtime"

work="$(mktemp -d -t openclaw-demo-XXXXXX)"
runc_root="$work/runc-root"
cleanup() {
  for id in $(runc --root "$runc_root" list -q 2>/dev/null); do runc --root "$runc_root" delete --force "$id" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$python" = 1 ]; then
  tar="$(bash "$root/scripts/build-python-image.sh" | tail -n1)"
  mkdir -p "$work/py/rootfs"
  tar -C "$work/py/rootfs" -xf "$tar"
  runc spec --bundle "$work/py"
  # Ordinary Python work, then what the profile may deny (processes, /tmp writes).
  job='import numpy as np, threading, subprocess, sys
a = np.arange(65536, dtype=float).reshape(256, 256) % 7
print("python", sys.version.split()[0], "numpy", np.__version__, "matmul sum", int((a @ a).sum()))
t = threading.Thread(target=print, args=("a thread ran",)); t.start(); t.join()
for what, fn in (("subprocess", lambda: subprocess.run(["true"], check=True)), ("write /tmp", lambda: open("/tmp/x", "w").write("x"))):
    try:
        fn(); print(what + ": allowed")
    except OSError as e:
        print(what + ": denied (" + e.__class__.__name__ + ": " + (e.strerror or str(e)) + ")")'
  JOB="$job" node -e '
    const fs = require("fs"); const p = process.argv[1];
    const c = JSON.parse(fs.readFileSync(p, "utf8"));
    c.process.terminal = false; c.process.args = ["python3", "-c", process.env.JOB];
    c.root.readonly = false; // as Docker starts an image: the profile decides
    c.process.env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"];
    fs.writeFileSync(p, JSON.stringify(c, null, 2));
  ' "$work/py/config.json"
  echo "== A Python job under profile '$profile' (openclaw-runtime --profile $profile run, runc underneath)"
  "$shim" --profile "$profile" --root "$runc_root" run --bundle "$work/py" "demo-py-$$"
  exit 0
fi

# A busybox-static rootfs (no registry needed) with the in-container verifier.
mkdir -p "$work/bundle/rootfs/"{bin,proc,sys,dev,tmp,etc}
cp /bin/busybox "$work/bundle/rootfs/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$work/bundle/rootfs/bin/$a"; done
install -m 0755 "$root/test/verifier/verify.sh" "$work/bundle/rootfs/bin/verify"
runc spec --bundle "$work/bundle"
node -e '
  const fs = require("fs"); const p = process.argv[1];
  const c = JSON.parse(fs.readFileSync(p, "utf8"));
  c.process.terminal = false; c.process.args = ["/bin/verify"];
  c.mounts.push({ destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid","noexec","nodev","ro"] });
  fs.writeFileSync(p, JSON.stringify(c, null, 2));
' "$work/bundle/config.json"
cp -a "$work/bundle" "$work/plain"

echo "== What profile '$profile' changes in a runc-generated config.json (openclaw-runtime merge --diff)"
"$shim" --profile "$profile" merge --diff --bundle "$work/bundle" demo

echo
echo "== Inside the container: plain runc vs openclaw-runtime --profile $profile"
plain="$(runc --root "$runc_root" run --bundle "$work/plain" "demo-plain-$$")"
sandboxed="$("$shim" --profile "$profile" --root "$runc_root" run --bundle "$work/bundle" "demo-oc-$$")"
paste -d'|' <(echo "$plain") <(echo "$sandboxed") | awk -F'|' '
  BEGIN { printf "%-16s %-28s %-28s\n", "fact", "runc", "openclaw-runtime" }
  { split($1, a, "="); split($2, b, "="); if (a[1] != "verify") printf "%-16s %-28s %-28s\n", a[1], substr($1, length(a[1]) + 2), substr($2, length(b[1]) + 2) }'
