#!/usr/bin/env bash
# Everything openclaw-runtime needs on a fresh Debian machine, idempotent:
#   1. host tools from Debian (runc, busybox-static, docker.io, containerd, gcc, ...),
#   2. npm dependencies (exactly as locked),
#   3. the TypeScript build (dist/),
#   4. the seccomp agent's native addon,
#   5. the native launcher bin/openclaw-runtime (the sh launcher when it cannot be compiled).
# Run as root (apt-get and, later, runc need it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/install-system-deps.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "setup: building TypeScript"
npm run --silent build

if [ -x scripts/build-addon.sh ] || [ -f scripts/build-addon.sh ]; then
  bash scripts/build-addon.sh
fi
bash scripts/build-launcher.sh
echo "setup: done ($root/bin/openclaw-runtime)"
