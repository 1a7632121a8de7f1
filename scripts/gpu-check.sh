#!/usr/bin/env bash
# GPU check: a CUDA driver-API probe in a container under model-backend, with the GPU given
# through CDI, next to the same probe with the same devices and no sandbox. It proves that
# the backend can use the GPU (cuInit, a device, 1 MiB HtoD + DtoH round trips) and that the
# sandbox still denies process creation, a second exec, a write-open outside the device
# nodes and an AF_INET socket. One screen of report; exit 0 only when all of that holds.
#
#   bash scripts/gpu-check.sh            # a real NVIDIA GPU and driver (falls back to --fake without one)
#   bash scripts/gpu-check.sh --fake     # fake nodes (mknod, majors of /dev/null and /dev/zero) and a
#                                        # stand-in libcuda.so.1: the whole path except the driver
#   --report FILE   also write the report there
#
# Needs: root, gcc, node, runc, the built tree (dist/ and the agent addon: scripts/setup.sh, or
# carry them). Uses nvidia-ctk to write the CDI spec when it is installed, else its own
# generator (scripts/gpu/generate-cdi.mjs) from the host's /dev/nvidia* and ldconfig's
# libcuda.so.1. Sends no network traffic; everything lives in one directory it removes.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode=auto report_file=
while [ $# -gt 0 ]; do
  case $1 in
    --fake) mode=fake ;;
    --real) mode=real ;;
    --report) report_file=$2; shift ;;
    *) echo "gpu-check: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

libcuda_host() { ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 .*x86-64/ { print $NF; exit }'; }
if [ "$mode" = auto ]; then
  if [ -c /dev/nvidiactl ] && [ -n "$(libcuda_host)" ]; then mode=real; else mode=fake; fi
fi
missing=()
for tool in gcc node runc; do command -v $tool >/dev/null || missing+=("$tool"); done
[ -f "$repo/dist/main.js" ] || missing+=("dist/ (npm run build)")
[ -f "$repo/addon/build/Release/openclaw_agent.node" ] || missing+=("the agent addon (scripts/build-addon.sh)")
[ "$(id -u)" = 0 ] || missing+=("root")
if [ ${#missing[@]} -gt 0 ]; then echo "gpu-check: missing: ${missing[*]}" >&2; exit 2; fi

# Root-only and not under a nodev mount: in a user namespace the device nodes are bind-mounted from here.
mkdir -p /var/lib/openclaw
work=$(mktemp -d /var/lib/openclaw/gpu-check.XXXXXX)
chmod 0755 "$work"
ids=()
cleanup() {
  for id in "${ids[@]}"; do runc --root "$work/runc-root" delete --force "$id" >/dev/null 2>&1 || true; done
  if [ -f "$work/agent/agent.sock.lock" ]; then kill "$(cat "$work/agent/agent.sock.lock")" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# 1. The probe, and in fake mode the stand-in driver and nodes.
gcc -O2 -Wall -o "$work/cuda-probe" "$repo/test/gpu/cuda-probe.c" -ldl
gen=(--gpu /dev/nvidia0=/dev/nvidia0)
if [ "$mode" = fake ]; then
  mkdir -m 0755 "$work/fake"
  gcc -O2 -Wall -shared -fPIC -o "$work/fake/libcuda.so.1" "$repo/test/gpu/fake-libcuda.c"
  mknod -m 0666 "$work/fake/nvidia0" c 1 5      # /dev/zero's numbers: opens read-write, harmless
  mknod -m 0666 "$work/fake/nvidiactl" c 1 3    # /dev/null's
  mknod -m 0666 "$work/fake/nvidia-uvm" c 1 3
  gen=(--gpu "/dev/nvidia0=$work/fake/nvidia0" --node "/dev/nvidiactl=$work/fake/nvidiactl" --node "/dev/nvidia-uvm=$work/fake/nvidia-uvm"
       --lib "/usr/lib/x86_64-linux-gnu/libcuda.so.1=$work/fake/libcuda.so.1")
  driver="fake (stand-in libcuda.so.1, nodes with /dev/null and /dev/zero numbers)"
else
  gen=()
  for n in /dev/nvidia[0-9]*; do gen+=(--gpu "$n=$n"); done
  for n in /dev/nvidiactl /dev/nvidia-uvm /dev/nvidia-uvm-tools; do [ -c "$n" ] && gen+=(--node "$n=$n"); done
  lib=$(libcuda_host)
  gen+=(--lib "/usr/lib/x86_64-linux-gnu/libcuda.so.1=$(readlink -f "$lib")")
  driver="$(cat /proc/driver/nvidia/version 2>/dev/null | head -n1 || echo 'NVIDIA driver')"
fi

# 2. The CDI spec, in a root-only spec directory.
mkdir -m 0755 "$work/cdi"
if [ "$mode" = real ] && command -v nvidia-ctk >/dev/null; then
  nvidia-ctk cdi generate --output="$work/cdi/nvidia.yaml" >/dev/null
  generator=nvidia-ctk
else
  node "$repo/scripts/gpu/generate-cdi.mjs" "${gen[@]}" > "$work/cdi/nvidia.json"
  generator=scripts/gpu/generate-cdi.mjs
fi

# 3. A minimal glibc rootfs: the probe and the libraries it links (copied from this host).
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{dev,proc,sys,tmp,etc} "$rootfs/usr/lib/x86_64-linux-gnu"
cp "$work/cuda-probe" "$rootfs/cuda-probe"
for f in $(ldd "$work/cuda-probe" | grep -o '/[^ ]*'); do cp -L --parents "$f" "$rootfs"; done
[ "$mode" = real ] && for f in $(ldd "$(readlink -f "$(libcuda_host)")" | grep -o '/[^ ]*'); do cp -L --parents "$f" "$rootfs" 2>/dev/null || true; done
chmod 1777 "$rootfs/tmp"
chmod -R go+rX "$rootfs"

# 4. Profiles and config: model-backend with the GPU, and the same devices with no sandbox.
mkdir -m 0755 "$work/profiles"
sed -e 's/^  name: model-backend$/  name: gpu-model-backend/' -e 's/^    gpus: none$/    cdi: [nvidia.com\/gpu=all]/' \
  "$repo/profiles/model-backend.yaml" > "$work/profiles/gpu-model-backend.yaml"
grep -q 'cdi: \[nvidia.com/gpu=all\]' "$work/profiles/gpu-model-backend.yaml" || { echo "gpu-check: could not derive the profile from profiles/model-backend.yaml" >&2; exit 1; }
cat > "$work/profiles/gpu-no-sandbox.yaml" <<'EOF'
apiVersion: security.openclaw.org/v1alpha1
kind: SandboxProfile
metadata:
  name: gpu-no-sandbox
  description: "The baseline of gpu-check: the same CDI devices, nothing else."
spec:
  devices:
    cdi: [nvidia.com/gpu=all]
EOF
cat > "$work/config.toml" <<EOF
[state]
dir = "$work/state"
[agent]
socket = "$work/agent/agent.sock"
denial_log = "$work/denials.log"
[cdi]
spec_dirs = ["$work/cdi"]
EOF

run_probe() { # profile -> stdout of the probe (stderr to $work/NAME.err)
  local name=$1 id="gpucheck-$$-$1" bundle="$work/bundle-$1"
  mkdir -p "$bundle"
  runc spec --bundle "$bundle"
  node -e '
    const fs = require("fs"); const [file, rootfs] = process.argv.slice(1);
    const c = JSON.parse(fs.readFileSync(file, "utf8"));
    c.root = { path: rootfs, readonly: false }; c.process.terminal = false; c.process.args = ["/cuda-probe"];
    fs.writeFileSync(file, JSON.stringify(c, null, 2));' "$bundle/config.json" "$rootfs"
  ids+=("$id")
  "$repo/bin/openclaw-runtime" --profile "$work/profiles/$name.yaml" --openclaw-config "$work/config.toml" \
    --root "$work/runc-root" run --bundle "$bundle" "$id" 2> "$work/$name.err" || true
}
base=$(run_probe gpu-no-sandbox)
boxed=$(run_probe gpu-model-backend)

val() { printf '%s\n' "$1" | awk -F= -v k="$2" '$1 == k { sub(/^[^=]*=/, ""); print; exit }'; }
fail=()
expect() { # output label key want
  local got; got=$(val "$1" "$3")
  case $got in $4) ;; *) fail+=("$2: $3=${got:-<none>} (want $4)") ;; esac
}
for out in base boxed; do
  o=${!out}
  expect "$o" "$out" cuInit 0
  expect "$o" "$out" roundtrip_ok 1
done
for k in fork exec_second write_open socket_inet; do expect "$boxed" model-backend "$k" 'denied:*'; done

{
  echo "openclaw gpu-check ($mode mode) $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "driver:  $driver"
  echo "device:  $(val "$boxed" device_name) (count $(val "$boxed" device_count)); CDI spec by $generator"
  echo "runtime: $(runc --version | head -n1), kernel $(uname -r)"
  printf '\n%-22s %-28s %-28s\n' check "runc + CDI, no sandbox" "openclaw model-backend"
  for k in cuda_lib cuInit device_count cuMemAlloc roundtrip_ok roundtrip_us_p50 roundtrip_us_p99 fork exec_second write_open socket_inet; do
    printf '%-22s %-28s %-28s\n' "$k" "$(val "$base" $k)" "$(val "$boxed" $k)"
  done
  echo
  if [ ${#fail[@]} -eq 0 ]; then
    echo "PASS: CUDA works under model-backend, and fork, a second exec, write-opens outside the device nodes and AF_INET stay denied."
  else
    echo "FAIL:"; printf '  %s\n' "${fail[@]}"
    for n in gpu-no-sandbox gpu-model-backend; do [ -s "$work/$n.err" ] && { echo "--- $n stderr"; head -n 20 "$work/$n.err"; }; done
    [ -s "$work/denials.log" ] && { echo "--- denials"; tail -n 20 "$work/denials.log"; }
  fi
} | tee ${report_file:+"$report_file"}
[ ${#fail[@]} -eq 0 ]
