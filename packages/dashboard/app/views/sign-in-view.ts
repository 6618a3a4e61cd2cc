import type { SessionInfo } from "../api-types.ts";
import { api } from "../lib/api.ts";
import { h, setText } from "../lib/dom.ts";

/** The admin token form; `onSignedIn` gets the new session. */
export function signInView(onSignedIn: (session: SessionInfo) => void, message = ""): HTMLElement {
  const input = h("input", { type: "password", name: "token", autocomplete: "current-password", placeholder: "Admin token", required: true, "aria-label": "Admin token" });
  const error = h("p", { class: "error", role: "alert" }, message);
  const button = h("button", { class: "button primary", type: "submit" }, "Sign in");
  const form = h("form", { class: "sign-in panel" },
    h("div", { class: "brand large" }, h("img", { src: "/assets/favicon.svg", alt: "", width: 36, height: 36 }), "Atelier"),
    h("p", { class: "muted" }, "Sign in with an admin API token (atelier tokens create --tenant T --role admin), the farm's ATELIER_ADMIN_TOKEN, or the sign-in link the coordinator printed at start-up."),
    input, button, error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    button.disabled = true;
    setText(error, "");
    signIn(input.value).then(onSignedIn, (failure: Error) => {
      setText(error, failure.message);
      button.disabled = false;
      input.select();
    });
  });
  queueMicrotask(() => input.focus());
  return h("main", { class: "sign-in-page" }, form);
}

export function signIn(token: string): Promise<SessionInfo> {
  return api<SessionInfo>("/api/session", { method: "POST", body: { token } });
}
