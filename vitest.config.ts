import { defineConfig } from "vitest/config";

// Unit tests sit beside their source; cross-package, fault and browser tests
// live in test/. Benchmarks (test/bench) are scripts, never collected here.
// The tests that drive Chromium are a project of their own, so that its
// global setup (which installs Debian's chromium where it is missing) runs
// only when one of them does.
const CHROMIUM_TESTS = ["test/browser/**/*.test.ts", "test/security/dashboard-*.test.ts"];
const EXCLUDE = ["**/node_modules/**", "test/bench/**"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
    // As the atelier command does (packages/cli/bin/atelier.mjs): no AWS SDK notice about Node 20 in every test's output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    projects: [
      {
        extends: true,
        test: { name: "node", include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"], exclude: [...EXCLUDE, ...CHROMIUM_TESTS] },
      },
      {
        extends: true,
        test: { name: "chromium", include: CHROMIUM_TESTS, exclude: EXCLUDE, globalSetup: ["test/support/chromium-setup.ts"] },
      },
    ],
  },
});
