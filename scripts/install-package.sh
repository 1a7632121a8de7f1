#!/bin/sh
# npm lifecycle steps of the package itself (package.json "preinstall" and "install"), for
# `npm install -g openclaw-runtime-X.tgz` as for a checkout's `npm ci`:
#   preinstall: bin/openclaw-runtime must exist before npm links the package's bin (npm links
#               between preinstall and install and skips a missing target), so the portable
#               sh launcher is put there when nothing is;
#   install:    the seccomp agent's addon (node-gyp, against the local Node headers, no
#               download) and the native launcher, which replaces the sh copy in place (the
#               link npm made keeps pointing at it). Without a C compiler the sh launcher stays
#               (same results, slower); without the addon the profiles that need the seccomp
#               agent, and the resident service, are unavailable, and this says which Debian or
#               Ubuntu packages to install before `bash scripts/install-package.sh install` again.
# Runs with /bin/sh: npm runs lifecycle scripts with sh, and bash may be all the build needs.
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
case "${1:-}" in
  preinstall)
    if [ ! -e bin/openclaw-runtime ]; then
      cp bin/openclaw-runtime.sh bin/openclaw-runtime
      chmod 755 bin/openclaw-runtime
    fi
    ;;
  install)
    if ! command -v bash >/dev/null 2>&1; then
      echo "openclaw-runtime install: bash not found; keeping the sh launcher, no seccomp agent addon" >&2
      exit 0
    fi
    if ! bash scripts/build-addon.sh; then
      echo "openclaw-runtime install: WARNING: the seccomp agent addon was not built: profiles that need the agent (smythos-alternative, model-backend) and the resident service are unavailable." >&2
      echo "openclaw-runtime install: install g++ make python3 libnode-dev (Debian 12, Ubuntu 22.04/24.04: apt-get install g++ make python3 libnode-dev), then: bash $root/scripts/install-package.sh install" >&2
    fi
    bash scripts/build-launcher.sh
    ;;
  *)
    echo "usage: $0 preinstall|install" >&2
    exit 2
    ;;
esac
