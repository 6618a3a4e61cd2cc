// One lint configuration for the whole repository. Type-aware rules catch the
// bugs that matter in a farm of streams and timers: promises nobody awaits
// or handles, and import cycles between modules. Boundary rules keep the
// dependency direction of ARCHITECTURE.md: packages meet only at each other's
// exports, and the agent and the clients never load the coordinator.
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

// Another package's internals: only what its package.json#exports names may be imported.
const INTERNALS = {
  group: ["@atelier/*/src", "@atelier/*/src/**", "@atelier/*/app/**", "@atelier/*/scripts/**"],
  message: "import what the package exports (its package.json#exports), not its internals",
};

/** no-restricted-imports with the internals ban, plus `paths` and `patterns` of a stricter boundary. */
function boundary(paths = [], patterns = []) {
  return ["error", { paths, patterns: [INTERNALS, ...patterns] }];
}

// What only a coordinator runs: its own package, the database, S3, NATS. An agent
// speaks gRPC and S3 through presigned URLs only; a client speaks gRPC.
const COORDINATOR_ONLY = boundary(
  ["@atelier/coordinator", "@atelier/db", "pg", "@prisma/client", "nats"].map((name) => ({
    name,
    message: "the agent, the SDK and the CLI's client commands never load the coordinator, its database or NATS (ARCHITECTURE.md: dependency direction)",
  })),
  [
    { group: ["@atelier/coordinator/**", "@atelier/db/**", "@prisma/*"], message: "the agent, the SDK and the CLI's client commands never load the coordinator or its database" },
    { group: ["@aws-sdk/*"], message: "the agent uploads through presigned URLs; only the coordinator holds S3 credentials" },
  ],
);

// An async handler of a two-argument .then rejects into nobody's hands: neither handler sees it.
const ASYNC_THEN_HANDLER = {
  selector: "CallExpression[callee.property.name='then'][arguments.length=2] > :matches(ArrowFunctionExpression, FunctionExpression)[async=true]",
  message: "an async function as a .then(ok, err) handler rejects into nobody's hands: chain .then(ok).catch(err), or handle inside",
};

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/dist/**", "**/src/generated/**", "atelier-out/**", ".atelier/**", "test-artifacts/**", "**/*.mjs", "**/*.js"],
  },
  {
    files: ["**/*.ts"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@typescript-eslint": tseslint.plugin, "import-x": importX },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: true, attributes: false, properties: false, returns: false, variables: false, inheritedMethods: false } }],
      "no-restricted-syntax": ["error", ASYNC_THEN_HANDLER],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      // A relative path into another package (../../db/src/…) is its internals too.
      "import-x/no-relative-packages": "error",
      "no-restricted-imports": boundary(),
      "no-console": "off",
    },
    settings: {
      "import-x/resolver-next": [importX.createNodeResolver({ extensions: [".ts", ".js"] })],
      "import-x/ignore": ["node_modules"],
    },
  },
  {
    // The agent reads the host's wall clock only through the Clock it is
    // given (clock.ts), so that a test can skew it without replacing globals.
    files: ["packages/agent/src/**/*.ts"],
    ignores: ["packages/agent/src/clock.ts", "**/*.test.ts"],
    rules: {
      "no-restricted-properties": ["error", { object: "Date", property: "now", message: "read wall time through the agent's Clock (clock.ts)" }],
      "no-restricted-syntax": ["error", ASYNC_THEN_HANDLER, { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "read wall time through the agent's Clock (clock.ts)" }],
    },
  },
  {
    // The agent, the SDK and every CLI command but those that run a coordinator (up, demo) or,
    // with DATABASE_URL, administer its database (admin-backend, which loads it only then).
    files: ["packages/agent/**/*.ts", "packages/sdk/**/*.ts", "packages/cli/**/*.ts"],
    ignores: ["packages/cli/src/commands/up.ts", "packages/cli/src/commands/demo.ts", "packages/cli/src/admin-backend.ts"],
    rules: { "no-restricted-imports": COORDINATOR_ONLY },
  },
  {
    // Shared by all, so it depends on none of them; the diffusion library has no farm logic.
    files: ["packages/common/**/*.ts", "packages/diffusion/**/*.ts"],
    rules: { "no-restricted-imports": boundary([], [{ group: ["@atelier/*"], message: "this package depends on no other package of Atelier (ARCHITECTURE.md)" }]) },
  },
);
