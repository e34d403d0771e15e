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
    reporters: ['default'],
  },
});
