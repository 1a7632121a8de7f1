#!/bin/sh
# Rewrites docs/workloads.md from the workload matrix's expectation data
# (test/e2e/workloads/matrix.ts); the same test fails when the committed file is stale.
set -eu
cd "$(dirname "$0")/.."
OPENCLAW_WRITE_DOCS=1 npx vitest run test/e2e/workloads-doc.test.ts
