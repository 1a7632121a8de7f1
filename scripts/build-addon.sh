#!/usr/bin/env bash
# Builds the seccomp agent's native addon (addon/ -> addon/build/Release/openclaw_agent.node)
# with node-gyp against the local Node headers. Idempotent: it does nothing when the .node
# file is newer than every source; `--force` rebuilds.
#
# node-gyp comes from the project's devDependencies, else from the copy bundled with npm.
# Headers: npm's `nodedir` (set to /usr here, where Debian's nodejs ships /usr/include/node),
# else $NODEDIR; node-gyp never downloads anything here (no network beyond the registry).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
addon="$root/addon"
out="$addon/build/Release/openclaw_agent.node"

if [ "$(uname -s)" != Linux ]; then
  echo "build-addon: the seccomp agent is Linux-only; skipping" >&2
  exit 0
fi

if [ "${1:-}" != --force ] && [ -f "$out" ]; then
  newer="$(find "$addon/src" "$addon/binding.gyp" -newer "$out" -print -quit)"
  if [ -z "$newer" ]; then
    echo "build-addon: up to date ($out)"
    exit 0
  fi
fi

for tool in make g++ python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-addon: '$tool' not found: install a C++ toolchain (Debian: apt-get install g++ make python3)" >&2
    exit 1
  fi
done

if [ ! -f "$root/node_modules/node-addon-api/package.json" ]; then
  echo "build-addon: node-addon-api missing: run 'npm install' in $root first" >&2
  exit 1
fi

gyp=""
if [ -f "$root/node_modules/node-gyp/bin/node-gyp.js" ]; then
  gyp="$root/node_modules/node-gyp/bin/node-gyp.js"
elif [ -n "${npm_config_node_gyp:-}" ] && [ -f "${npm_config_node_gyp}" ]; then
  gyp="$npm_config_node_gyp"
else
  bundled="$(npm root -g 2>/dev/null)/npm/node_modules/node-gyp/bin/node-gyp.js"
  [ -f "$bundled" ] && gyp="$bundled"
fi
if [ -z "$gyp" ]; then
  echo "build-addon: node-gyp not found: run 'npm install' (it is a devDependency) or install npm's bundled copy" >&2
  exit 1
fi

nodedir="${NODEDIR:-$(npm config get nodedir 2>/dev/null | grep -v '^undefined$' || true)}"
node_version="$(node -p 'process.versions.node')"
if [ -z "$nodedir" ]; then
  # Debian/Ubuntu's nodejs puts the headers in /usr/include/node.
  for d in /usr /usr/local "$(dirname "$(dirname "$(command -v node)")")"; do
    if [ -f "$d/include/node/node_api.h" ]; then nodedir="$d"; break; fi
  done
fi
if [ -z "$nodedir" ] || [ ! -f "$nodedir/include/node/node_api.h" ]; then
  echo "build-addon: Node headers not found (looked for include/node/node_api.h under npm's nodedir, /usr, /usr/local): install them (Debian: apt-get install libnode-dev) or set NODEDIR" >&2
  exit 1
fi

log="${TMPDIR:-/tmp}/openclaw-build-addon.log"
cd "$addon"
echo "build-addon: node-gyp rebuild (node $node_version, headers from $nodedir)"
node "$gyp" rebuild --nodedir="$nodedir" --target="$node_version" >"$log" 2>&1 || {
  tail -40 "$log" >&2
  echo "build-addon: compile failed (full log: $log)" >&2
  exit 1
}
echo "build-addon: built $out"
