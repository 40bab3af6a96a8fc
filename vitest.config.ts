import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // The PostgreSQL suites share one server; files still run in parallel but each uses its own schema.
    pool: 'forks',
  },
});
