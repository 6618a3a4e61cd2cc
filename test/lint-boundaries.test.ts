import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/cli-process.ts";

// The boundary rules of eslint.config.js, shown to fire: each case lints a
// few import lines as if they were the text of a real file of that package
// (the type-aware parser needs a file it knows), and lists the rules broken.
const eslint = new ESLint({ cwd: REPO_ROOT });

async function brokenRules(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = [a, b];\n`, { filePath });
  return result!.messages.map((message) => `${message.ruleId}: ${message.message.split(". ")[0]}`);
}

describe("lint keeps the packages' boundaries", () => {
  it("forbids the agent, the SDK and the CLI's client commands to load the coordinator, its database, NATS or the AWS SDK", async () => {
    for (const file of ["packages/agent/src/index.ts", "packages/sdk/src/index.ts", "packages/cli/src/commands/submit.ts", "packages/cli/src/commands/agent.ts"]) {
      expect(await brokenRules(file, 'import { loadConfig as a } from "@atelier/coordinator";\nimport { migrate as b } from "@atelier/db";')).toEqual([
        "no-restricted-imports: '@atelier/coordinator' import is restricted from being used",
        "no-restricted-imports: '@atelier/db' import is restricted from being used",
      ]);
      expect(await brokenRules(file, 'import a from "pg";\nimport { S3Client as b } from "@aws-sdk/client-s3";')).toEqual([
        "no-restricted-imports: 'pg' import is restricted from being used",
        "no-restricted-imports: '@aws-sdk/client-s3' import is restricted from being used by a pattern",
      ]);
    }
    // The commands that run a coordinator may.
    expect(await brokenRules("packages/cli/src/commands/up.ts", 'import { loadConfig as a } from "@atelier/coordinator";\nimport { migrate as b } from "@atelier/db";')).toEqual([]);
  });

  it("forbids any package to import another's internals, by package name or by relative path", async () => {
    expect(await brokenRules("packages/coordinator/src/index.ts", 'import { migrate as a } from "@atelier/db/src/migrate.ts";\nimport { encodePng as b } from "../../diffusion/src/png/png-encode.ts";')).toEqual([
      "no-restricted-imports: '@atelier/db/src/migrate.ts' import is restricted from being used by a pattern",
      "import-x/no-relative-packages: Relative import from another package is not allowed",
    ]);
    // What a package exports is its surface, subpaths included.
    expect(await brokenRules("test/support/farm-fixture.ts", 'import { createTestDatabase as a } from "@atelier/db/testing";\nimport { backoffDelayMs as b } from "@atelier/common/backoff";')).toEqual([]);
  });

  it("keeps @atelier/common and @atelier/diffusion free of the other packages", async () => {
    expect(await brokenRules("packages/common/src/index.ts", 'import { encodePng as a } from "@atelier/diffusion";\nimport { RETRY_POLICY as b } from "@atelier/sdk";')).toEqual([
      "no-restricted-imports: '@atelier/diffusion' import is restricted from being used by a pattern",
      "no-restricted-imports: '@atelier/sdk' import is restricted from being used by a pattern",
    ]);
  });
});
