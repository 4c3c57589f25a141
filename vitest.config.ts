import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // Integration files start real registries; two at a time suits the 2-core machines.
    maxWorkers: 2,
    // The JSON file lets .ci/run print a plain 'N passed, N failed' line.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-results.json' }]],
  },
});
