import type { ModerationDecision, ModerationResponse, QuarantinedImage } from "../api-types.ts";
import { api } from "../lib/api.ts";
import { h, replace } from "../lib/dom.ts";
import { dateTime } from "../lib/format.ts";
import type { View } from "./view.ts";

const PAGE = 50;

/**
 * The moderation queue: images the safety checker flagged, shown blurred
 * (hovering or focusing one does not unblur it; an admin opens it on purpose
 * with "Show"). Release serves an image as any other; delete removes it.
 * Every decision is in the audit log.
 */
export function moderationView(): View {
  const grid = h("div", { class: "moderation-grid", role: "list", "aria-label": "Quarantined images" });
  const status = h("p", { class: "empty muted", role: "status" });
  const refresh = h("button", { class: "button", type: "button", onclick: () => void load() }, "Refresh");
  const element = h("div", { class: "page moderation-page" },
    h("header", { class: "page-head" },
      h("div", null, h("h1", null, "Moderation"), h("p", { class: "muted" }, "Images the safety checker flagged, blurred. Release serves one; delete removes it.")),
      h("div", { class: "actions" }, refresh)),
    h("section", { class: "panel" }, grid, status));

  const card = (image: QuarantinedImage) => {
    const picture = h("img", { class: "blurred", src: `/api/moderation/${image.outputId}/image`, alt: `flagged image: ${image.prompt}`, loading: "lazy", draggable: "false" });
    const show = h("button", { class: "button subtle", type: "button", "aria-pressed": "false" }, "Show");
    show.addEventListener("click", () => {
      const shown = picture.classList.toggle("blurred") === false;
      show.setAttribute("aria-pressed", String(shown));
      show.textContent = shown ? "Blur" : "Show";
    });
    const decide = (decision: "release" | "delete") => async () => {
      for (const button of item.querySelectorAll("button")) button.disabled = true;
      try {
        await api<ModerationDecision>(`/api/moderation/${image.outputId}/${decision}`, { method: "POST" });
        item.remove();
        replace(status, `Output ${image.outputId} ${decision === "release" ? "released" : "deleted"}.`);
      } catch (error) {
        for (const button of item.querySelectorAll("button")) button.disabled = false;
        replace(status, h("span", { class: "error" }, (error as Error).message));
      }
    };
    const item = h("article", { class: "moderation-card", role: "listitem", "data-output": image.outputId },
      picture,
      h("p", { class: "small", "data-field": "prompt" }, image.prompt),
      h("p", { class: "muted small" }, `${image.tenantId} · ${dateTime(image.createdAtMs)} · ${image.safetyVerdict}`),
      h("div", { class: "actions" },
        show,
        h("button", { class: "button primary", type: "button", "data-action": "release", onclick: () => void decide("release")() }, "Release"),
        h("button", { class: "button danger", type: "button", "data-action": "delete", onclick: () => void decide("delete")() }, "Delete")));
    return item;
  };
  const load = async () => {
    try {
      const page = await api<ModerationResponse>(`/api/moderation?limit=${PAGE}`);
      replace(grid, ...page.images.map(card));
      replace(status, page.images.length === 0 ? "Nothing awaits a decision." : page.next ? `The oldest ${PAGE} shown; decide on these to see more.` : "");
    } catch (error) {
      replace(status, h("span", { class: "error" }, (error as Error).message));
    }
  };
  void load();
  return { element, dispose() {} };
}
