// Dark, light, or whatever the system prefers; remembered per browser.

export type ThemeChoice = "auto" | "dark" | "light";
const KEY = "atelier.theme";
const ORDER: ThemeChoice[] = ["auto", "dark", "light"];

export function currentTheme(): ThemeChoice {
  const stored = localStorage.getItem(KEY);
  return stored === "dark" || stored === "light" ? stored : "auto";
}

export function applyTheme(choice: ThemeChoice): void {
  if (choice === "auto") document.documentElement.removeAttribute("data-theme");
  else document.documentElement.setAttribute("data-theme", choice);
}

export function cycleTheme(): ThemeChoice {
  const next = ORDER[(ORDER.indexOf(currentTheme()) + 1) % ORDER.length]!;
  localStorage.setItem(KEY, next);
  applyTheme(next);
  return next;
}
