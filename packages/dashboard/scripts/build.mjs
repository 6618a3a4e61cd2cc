// `npm run build`, and npm install's postinstall: bundles app/ into dist/.
// tsx's loader lets this plain script run the TypeScript build module.
// After install a failed build only warns: the coordinator then bundles in
// memory at start-up, or says why it cannot, and an install never breaks
// over the dashboard.
import { register } from "tsx/esm/api";

const postinstall = process.argv.includes("--postinstall");
register();
try {
  const { buildDashboard } = await import("../src/build-dashboard.ts");
  const started = performance.now();
  const files = await buildDashboard();
  console.log(`@atelier/dashboard: built ${files.length} files into dist/ in ${Math.round(performance.now() - started)} ms`);
} catch (error) {
  console.error(`@atelier/dashboard: build failed: ${error.message}`);
  if (!postinstall) process.exitCode = 1;
}
