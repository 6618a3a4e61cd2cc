// Hash routes: the server serves one page, so any link works after a reload.

export interface Route {
  name: "farm" | "batches" | "batch" | "gallery" | "agent" | "audit" | "moderation" | "webhooks" | "royalties" | "creators";
  params: Record<string, string>;
  query: URLSearchParams;
}

const PATTERNS: [Route["name"], RegExp][] = [
  ["farm", /^\/?(?:farm)?$/],
  ["batches", /^\/batches$/],
  ["batch", /^\/batches\/([^/]+)$/],
  ["gallery", /^\/batches\/([^/]+)\/gallery$/],
  ["agent", /^\/agents\/([^/]+)$/],
  ["audit", /^\/audit$/],
  ["webhooks", /^\/webhooks$/],
  ["royalties", /^\/royalties$/],
  ["creators", /^\/creators$/],
  ["moderation", /^\/moderation$/],
];

export function parseRoute(hash: string): Route {
  const [path = "", search = ""] = hash.replace(/^#/, "").split("?");
  for (const [name, pattern] of PATTERNS) {
    const match = pattern.exec(path);
    if (match) return { name, params: match[1] ? { id: decodeURIComponent(match[1]) } : {}, query: new URLSearchParams(search) };
  }
  return { name: "farm", params: {}, query: new URLSearchParams() };
}

export const link = {
  farm: () => "#/farm",
  batches: (state?: string) => (state ? `#/batches?state=${state}` : "#/batches"),
  batch: (id: string) => `#/batches/${encodeURIComponent(id)}`,
  gallery: (id: string, state?: string, minScore?: string) => {
    const query = new URLSearchParams();
    if (state && state !== "all") query.set("state", state);
    if (minScore) query.set("minScore", minScore);
    return `#/batches/${encodeURIComponent(id)}/gallery${query.size > 0 ? `?${query}` : ""}`;
  },
  agent: (id: string) => `#/agents/${encodeURIComponent(id)}`,
  audit: () => "#/audit",
  webhooks: () => "#/webhooks",
  royalties: () => "#/royalties",
  creators: () => "#/creators",
  moderation: () => "#/moderation",
};
