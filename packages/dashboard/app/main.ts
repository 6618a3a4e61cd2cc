// The Atelier dashboard: sign in, then the farm, batches, galleries and
// agents, kept live by Server-Sent Events.
import "./styles.css";
import type { SessionInfo } from "./api-types.ts";
import { api, ApiError, onUnauthorized, useSession } from "./lib/api.ts";
import { h, replace, setText } from "./lib/dom.ts";
import { LiveUpdates, type LiveState } from "./lib/live.ts";
import { link, parseRoute, type Route } from "./lib/router.ts";
import { applyTheme, currentTheme, cycleTheme } from "./lib/theme.ts";
import { agentView } from "./views/agent-view.ts";
import { auditView } from "./views/audit-view.ts";
import { batchView } from "./views/batch-view.ts";
import { batchesView } from "./views/batches-view.ts";
import { creatorsView } from "./views/creators-view.ts";
import { farmView } from "./views/farm-view.ts";
import { galleryView } from "./views/gallery-view.ts";
import { moderationView } from "./views/moderation-view.ts";
import { signIn, signInView } from "./views/sign-in-view.ts";
import { royaltiesView } from "./views/royalties-view.ts";
import { webhooksView } from "./views/webhooks-view.ts";
import type { View, ViewContext } from "./views/view.ts";

const VIEWS: Record<Route["name"], (context: ViewContext) => View> = {
  farm: farmView,
  batches: batchesView,
  batch: batchView,
  gallery: galleryView,
  agent: agentView,
  audit: auditView,
  webhooks: webhooksView,
  royalties: royaltiesView,
  creators: creatorsView,
  moderation: moderationView,
};

const LIVE_LABELS: Record<LiveState, string> = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", closed: "Offline" };
const THEME_LABELS = { auto: "Theme: system", dark: "Theme: dark", light: "Theme: light" };

const root = document.getElementById("app")!;

async function currentSession(): Promise<SessionInfo | undefined> {
  try {
    return await api<SessionInfo>("/api/session");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return undefined;
    throw error;
  }
}

function showSignIn(message = ""): void {
  document.title = "Sign in · Atelier";
  replace(root, signInView(startApp, message));
}

function startApp(session: SessionInfo): void {
  useSession(session);
  // The stream was refused: signed out elsewhere or expired shows sign-in; anything else retries.
  const live = new LiveUpdates(async () => {
    const signedIn = (await currentSession()) !== undefined;
    if (!signedIn) stop("Your session ended. Sign in again.");
    return signedIn;
  });
  const content = h("main", { class: "content" });
  const liveBadge = h("span", { class: "live", role: "status" }, h("span", { class: "live-dot" }), h("span", { class: "live-label" }));
  const themeButton = h("button", { class: "icon-button", type: "button", title: THEME_LABELS[currentTheme()], "aria-label": "Switch theme" }, "◐");
  themeButton.addEventListener("click", () => (themeButton.title = THEME_LABELS[cycleTheme()]));
  const nav = h("nav", { class: "nav" },
    h("a", { href: link.farm(), "data-nav": "farm" }, "Farm"),
    h("a", { href: link.batches(), "data-nav": "batches" }, "Batches"),
    h("a", { href: link.audit(), "data-nav": "audit" }, "Audit"),
    h("a", { href: link.moderation(), "data-nav": "moderation" }, "Moderation"),
    h("a", { href: link.webhooks(), "data-nav": "webhooks" }, "Webhooks"),
    h("a", { href: link.royalties(), "data-nav": "royalties" }, "Royalties"),
    h("a", { href: link.creators(), "data-nav": "creators" }, "Creators"));
  const signOut = h("button", { class: "button subtle", type: "button" }, "Sign out");
  signOut.addEventListener("click", () => {
    void api("/api/session", { method: "DELETE" }).finally(() => stop("Signed out."));
  });
  replace(root,
    h("header", { class: "topbar" },
      h("a", { class: "brand", href: link.farm() }, h("img", { src: "/assets/favicon.svg", alt: "", width: 22, height: 22 }), h("span", { class: "brand-name" }, "Atelier")),
      nav, h("div", { class: "spacer" }), liveBadge, themeButton, signOut),
    content);

  let view: View | undefined;
  const show = () => {
    const route = parseRoute(location.hash);
    view?.dispose();
    view = VIEWS[route.name]({ route, live });
    replace(content, view.element);
    const section = route.name === "farm" || route.name === "agent" ? "farm" : route.name === "audit" || route.name === "moderation" || route.name === "webhooks" || route.name === "royalties" || route.name === "creators" ? route.name : "batches";
    for (const anchor of nav.querySelectorAll("a")) anchor.classList.toggle("active", anchor.dataset.nav === section);
    document.title = `${route.name[0]!.toUpperCase()}${route.name.slice(1)} · Atelier`;
  };
  const offState = live.onState((state) => {
    liveBadge.dataset.state = state;
    setText(liveBadge.querySelector(".live-label")!, LIVE_LABELS[state]);
  });
  let stopped = false;
  const stop = (message: string) => {
    if (stopped) return;
    stopped = true;
    window.removeEventListener("hashchange", show);
    offUnauthorized();
    offState();
    view?.dispose();
    live.stop();
    showSignIn(message);
  };
  const offUnauthorized = onUnauthorized(() => stop("Your session ended. Sign in again."));
  window.addEventListener("hashchange", show);
  show();
  live.start();
}

async function boot(): Promise<void> {
  applyTheme(currentTheme());
  // The printed sign-in link carries the token in the fragment, which never
  // reaches a server or a log; it is exchanged for a session and removed.
  const token = new URLSearchParams(location.hash.replace(/^#/, "")).get("token");
  if (token) {
    history.replaceState(null, "", `${location.pathname}${link.farm()}`);
    try {
      startApp(await signIn(token));
      return;
    } catch (error) {
      showSignIn((error as Error).message);
      return;
    }
  }
  const session = await currentSession();
  if (session) startApp(session);
  else showSignIn();
}

boot().catch((error: Error) => replace(root, h("p", { class: "empty error" }, `The dashboard could not start: ${error.message}`)));
