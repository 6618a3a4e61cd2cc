// The admin dashboard: a static single-page app (app/) bundled with esbuild
// and served by the coordinator's HTTP server. The Node side only finds or
// builds the bundle.
import { APP_DIR, bundleDashboard, DIST_DIR, newestMtimeMs, readDist, type DashboardAsset } from "./build-dashboard.ts";

export { buildDashboard, type DashboardAsset } from "./build-dashboard.ts";

/**
 * The dashboard's files: dist/ when it is at least as new as the sources
 * (npm install builds it), otherwise a fresh bundle made in memory, so that
 * an edited or never-built checkout still serves what its sources say and
 * nothing is written at start-up. Rejects with what to do when neither works.
 */
export async function loadDashboardAssets(): Promise<DashboardAsset[]> {
  const [sources, built] = await Promise.all([newestMtimeMs(APP_DIR), newestMtimeMs(DIST_DIR)]);
  if (built > 0 && built >= sources) return readDist();
  if (sources === 0) throw new Error(`the dashboard is not built and its sources are missing: expected ${DIST_DIR}`);
  try {
    return await bundleDashboard();
  } catch (error) {
    throw new Error(`could not build the dashboard (${(error as Error).message}); run \`npm run build -w @atelier/dashboard\` to see why`, { cause: error });
  }
}
