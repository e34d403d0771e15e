import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // Migrates once per run; createTestDb() copies that database for each test file.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file gets its own database (a copy); PGlite is single-threaded WASM, so two workers on 2 cores.
    maxWorkers: 2,
    // The files of a worker share their imported modules instead of importing the app again per file:
    // 14 s of imports instead of 233 s, the whole run 442 s instead of 688 s on PGlite
    // (docs/benchmarks.md). Safe because no test mocks modules or changes the environment, and every
    // file opens its own database and app.
    isolate: false,
    reporters: ['default'],
  },
});
