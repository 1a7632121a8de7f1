#!/usr/bin/env bash
# The README's second command: set up (idempotent), then run every test tier — unit,
# golden, integration against real runc, end-to-end through private dockerd/containerd, the
# attack battery — and print a closing "N passed, N failed" line.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/setup.sh
[ -f scripts/build-probe.sh ] && bash scripts/build-probe.sh
# The real-workload image (test/e2e/workloads.test.ts): built once per recipe, then reused from
# /var/cache/openclaw-test/images. Without it that suite skips and prints why.
bash scripts/build-python-image.sh >/dev/null ||
  echo "test.sh: the python image could not be built; test/e2e/workloads.test.ts will skip and say why" >&2

report="$(mktemp -t openclaw-vitest-XXXXXX.json)"
trap 'rm -f "$report"' EXIT
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?
set -e
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' "$report" || echo "vitest: no report written (exit $status)"
exit "$status"
