// One lint configuration for the whole repository. Type-aware rules catch the
// bugs that matter in a farm of streams and timers: promises nobody awaits
// or handles, and import cycles between modules.
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

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
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: false }],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "no-console": "off",
    },
    settings: {
      "import-x/resolver-next": [importX.createNodeResolver({ extensions: [".ts", ".js"] })],
      "import-x/ignore": ["node_modules"],
    },
  },
);
