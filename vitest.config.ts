import { defineConfig } from "vitest/config";

// Unit tests sit beside their source; cross-package, fault and browser tests
// live in test/. Benchmarks (test/bench) are scripts, never collected here.
export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/bench/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
  },
});
