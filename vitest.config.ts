import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    environment: 'node',
    // The browser tests load the built tab: build it once, before any worker starts.
    globalSetup: ['tests/browser/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores on CI: browser and server tests fight for them otherwise.
    maxWorkers: 2,
  },
});
