"""Workload-matrix jobs (test/e2e/workloads.test.ts): each prints one line, OK or DENIED."""
