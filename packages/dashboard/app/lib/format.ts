// How numbers, sizes and times read on the dashboard: short, aligned, exact where it matters.

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function count(n: number): string {
  return integer.format(n);
}

/** 1.2k, 3.4M: for axes and tight cells. */
export function compact(n: number): string {
  if (Math.abs(n) < 1000) return n >= 100 || Number.isInteger(n) ? integer.format(n) : n.toFixed(1);
  const units: [number, string][] = [[1e9, "G"], [1e6, "M"], [1e3, "k"]];
  const [scale, unit] = units.find(([u]) => Math.abs(n) >= u)!;
  const value = n / scale;
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)}${unit}`;
}

/** Rounded down: 99.8% done is not 100%. */
export function percent(ratio: number): string {
  return `${Math.floor(ratio * 100 + 1e-9)}%`;
}

export function rate(perMin: number): string {
  if (perMin <= 0) return "—";
  return perMin >= 10 ? `${count(perMin)}/min` : `${perMin.toFixed(1)}/min`;
}

export function bytes(n: number): string {
  if (n <= 0) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** 45 s, 12 min, 3 h 05 min, 2 d 4 h. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, "0")} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function ago(atMs: number, now = Date.now()): string {
  const ms = Math.max(0, now - atMs);
  if (ms < 5_000) return "just now";
  return `${duration(ms).replace(/ \d+ s$/, "").replace(/ \d+ min$/, "")} ago`;
}

export function clock(atMs: number): string {
  return new Date(atMs).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

export function dateTime(atMs: number): string {
  return new Date(atMs).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function shortId(id: string): string {
  return id.length > 12 ? id.slice(0, 8) : id;
}
