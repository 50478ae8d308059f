import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Two projects: fast unit/integration tests, and browser end-to-end tests that
// drive Debian's Chromium through playwright-core (run one file at a time: 2 cores).
export default defineConfig({
  test: {
    // Vitest's default (cores - 1) runs one file at a time on a 2-core CI machine, but much of
    // the suite waits (on ffmpeg, Chromium, Redis and PostgreSQL going away and back): two
    // files at once took the whole suite from about 21 to 17.5 min there, all green.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/e2e/**'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
