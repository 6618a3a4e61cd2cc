import { h } from "../lib/dom.ts";

const TONES: Record<string, string> = {
  online: "ok",
  running: "accent",
  completed: "ok",
  done: "ok",
  queued: "muted",
  pending: "muted",
  leased: "accent",
  draining: "warn",
  silent: "warn",
  released: "muted",
  expired: "bad",
  failed: "bad",
  offline: "muted",
  cancelled: "muted",
};

/** A state as a coloured pill; the word is always shown, never colour alone. */
export function badge(state: string): HTMLElement {
  return h("span", { class: `badge tone-${TONES[state] ?? "muted"}`, "data-state": state }, state);
}
