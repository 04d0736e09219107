import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites share one NATS and one Postgres; each uses its own stream and database,
    // but two cores are all we have, so keep file parallelism modest.
    maxWorkers: 2,
  },
});
