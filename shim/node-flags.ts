/**
 * Node flags for the two resident processes (the service and the seccomp agent), which live
 * as long as containers do. Their heaps stay small (one request, one notification at a time),
 * but V8 sizes the young generation for throughput (semi-spaces up to 16 MiB, touched and
 * kept). With 1 MiB semi-spaces, 100 running strict containers: service + agent VmRSS 155 ->
 * 125 MiB (`npm run bench -- --cases m`, scripts/bench/results/service-launcher.md).
 * --lite-mode would save ~20 MiB more but turns off the optimizing compiler on the merge and
 * the agent's decisions: not taken. examples/*.service start both with the same flags.
 */
export const RESIDENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];
