import { defineConfig } from 'vitest/config';

// Two projects: `unit` (in-memory, seconds: `npm run test:unit`) and `integration` (real
// registries). `npm test` runs both.
export default defineConfig({
  test: {
    // The JSON file lets .ci/run print a plain 'N passed, N failed' line.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-results.json' }]],
    // Each test file gets its own temporary root, removed when the file ends (test/harness/setup.ts).
    setupFiles: ['test/harness/setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // A hung fake fails here in seconds, not after the integration time-outs.
          testTimeout: 10_000,
          pool: 'forks',
          // Projects of one group share the pool: their maxWorkers must agree.
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          pool: 'forks',
          // Integration files start real registries; two at a time suits the 2-core machines.
          maxWorkers: 2,
        },
      },
    ],
  },
});
