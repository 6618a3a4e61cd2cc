import { h } from "../lib/dom.ts";

/** Asks before a destructive action; resolves true when confirmed. */
export function confirmAction(options: { title: string; body: string; confirm: string; danger?: boolean }): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "dialog confirm", "aria-label": options.title });
    const finish = (ok: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    dialog.append(
      h("h2", null, options.title),
      h("p", null, options.body),
      h("div", { class: "dialog-actions" },
        h("button", { class: "button", type: "button", onclick: () => finish(false) }, "Keep going"),
        h("button", { class: `button ${options.danger ? "danger" : "primary"}`, type: "button", "data-action": "confirm", onclick: () => finish(true) }, options.confirm)),
    );
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A short message at the bottom of the screen. */
export function toast(message: string, tone: "ok" | "bad" = "ok"): void {
  const element = h("div", { class: `toast tone-${tone}`, role: "status" }, message);
  document.body.append(element);
  window.setTimeout(() => element.remove(), 4_000);
}
