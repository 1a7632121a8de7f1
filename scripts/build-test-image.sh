#!/bin/sh
# Builds the e2e test image from Debian's busybox-static (no registry is needed) and imports
# it into a Docker daemon and/or a containerd namespace. Idempotent: an image whose
# org.openclaw.test.hash label matches the inputs is left alone.
#
#   scripts/build-test-image.sh [--work DIR] [--image NAME]
#                               [--docker-host unix:///path/docker.sock]
#                               [--containerd-address /path/containerd.sock --namespace NS]
#
# The image: /bin/busybox with its applets as symlinks (busybox --install -s), /etc/passwd
# and /etc/group with root and nobody, empty /output /input /tmp, and the e2e verifier at
# /openclaw/verify.sh. With no daemon named it only builds WORK/rootfs.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
work=${TMPDIR:-/tmp}/openclaw-test-image
image=openclaw-test/busybox:latest
docker_host=''
ctr_address=''
namespace=''
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work=$2; shift 2 ;;
    --image) image=$2; shift 2 ;;
    --docker-host) docker_host=$2; shift 2 ;;
    --containerd-address) ctr_address=$2; shift 2 ;;
    --namespace) namespace=$2; shift 2 ;;
    *) echo "build-test-image.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -n "$ctr_address" ] && { [ -z "$namespace" ] || [ -z "$docker_host" ]; }; then
  echo "build-test-image.sh: --containerd-address needs --namespace and --docker-host (the image goes through docker save)" >&2
  exit 2
fi

busybox=$(command -v busybox || true)
[ -n "$busybox" ] || { echo "build-test-image.sh: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
if file "$busybox" 2>/dev/null | grep -q 'dynamically linked'; then
  echo "build-test-image.sh: $busybox is dynamically linked; install busybox-static" >&2
  exit 1
fi
verifier="$repo/test/verifier/verify.sh"

# What the image is made of; a change in any of them rebuilds it.
hash=$(cat "$busybox" "$verifier" "$0" | sha256sum | cut -c1-16)

rootfs="$work/rootfs"
rm -rf "$rootfs"
mkdir -p "$rootfs/bin" "$rootfs/sbin" "$rootfs/usr/bin" "$rootfs/usr/sbin" "$rootfs/etc" "$rootfs/proc" \
  "$rootfs/sys" "$rootfs/dev" "$rootfs/tmp" "$rootfs/root" "$rootfs/output" "$rootfs/input" "$rootfs/openclaw"
cp "$busybox" "$rootfs/bin/busybox"
chroot "$rootfs" /bin/busybox --install -s
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
cp "$verifier" "$rootfs/openclaw/verify.sh"
chmod 0755 "$rootfs/openclaw/verify.sh"
chmod 1777 "$rootfs/tmp" "$rootfs/output"
echo "$hash" > "$rootfs/openclaw/image-hash"

if [ -n "$docker_host" ]; then
  have=$(docker -H "$docker_host" image inspect -f '{{ index .Config.Labels "org.openclaw.test.hash" }}' "$image" 2>/dev/null || true)
  if [ "$have" = "$hash" ]; then
    echo "docker: $image is up to date ($hash)"
  else
    tar --numeric-owner -C "$rootfs" -c . | docker -H "$docker_host" import \
      --change "LABEL org.openclaw.test.hash=$hash" --change 'CMD ["/bin/sh"]' - "$image" >/dev/null
    echo "docker: imported $image ($hash)"
  fi
fi

if [ -n "$ctr_address" ]; then
  # docker save names it docker.io/<name> for containerd.
  ref="docker.io/$image"
  case "$image" in *.*/*|localhost/*) ref=$image ;; esac
  if ctr -a "$ctr_address" -n "$namespace" images ls "name==$ref" 2>/dev/null | grep -q "org.openclaw.test.hash=$hash"; then
    echo "containerd: $ref is up to date in namespace $namespace ($hash)"
  else
    docker -H "$docker_host" save "$image" -o "$work/image.tar"
    ctr -a "$ctr_address" -n "$namespace" images import "$work/image.tar" >/dev/null
    ctr -a "$ctr_address" -n "$namespace" images label "$ref" "org.openclaw.test.hash=$hash" >/dev/null
    rm -f "$work/image.tar"
    echo "containerd: imported $ref into namespace $namespace ($hash)"
  fi
fi
