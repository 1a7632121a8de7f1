import { defineConfig } from 'vitest/config';

// Integration and e2e tests start real runc containers and daemons: run files one at a time
// on this 2-core machine, with timeouts that fit a container start, not a unit test.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default'],
  },
});
