import type { BatchDetailResponse, ItemsResponse, ItemTile } from "../api-types.ts";
import { badge } from "../components/badge.ts";
import { Lightbox } from "../components/lightbox.ts";
import { VirtualGrid } from "../components/virtual-grid.ts";
import { api } from "../lib/api.ts";
import { h, setText } from "../lib/dom.ts";
import { count } from "../lib/format.ts";
import { link } from "../lib/router.ts";
import { score } from "./batch-report.ts";
import { throttled, type View, type ViewContext } from "./view.ts";

const PAGE = 120;
const FILTERS: [string, string][] = [["all", "All"], ["done", "Done"], ["failed", "Failed"], ["pending", "Pending"], ["cancelled", "Cancelled"]];

/** Where tiles come from: pages by index over the whole batch, or a filtered list read by cursor. */
interface TileSource {
  count(): number;
  tile(position: number): ItemTile | undefined;
  /** Fetches what the positions in [first, last) need. */
  need(first: number, last: number): Promise<void>;
  /** Re-reads what is in view (new images arrived). */
  refresh(first: number, last: number): Promise<void>;
}

/** Every item of the batch: a million positions, of which only those in view are ever fetched. */
function wholeBatch(batchId: string, total: () => number, changed: () => void): TileSource {
  // A page being read again keeps its tiles meanwhile: a click on a tile in
  // view must open it while new images arrive.
  const pages = new Map<number, ItemTile[]>();
  const loading = new Set<number>();
  const fetchPage = async (page: number) => {
    loading.add(page);
    try {
      const response = await api<ItemsResponse>(`/api/batches/${encodeURIComponent(batchId)}/items?from=${page * PAGE}&limit=${PAGE}`);
      pages.set(page, response.items);
    } finally {
      loading.delete(page);
    }
    changed();
  };
  const pagesOf = (first: number, last: number) => {
    const list: number[] = [];
    for (let page = Math.floor(first / PAGE); page * PAGE < last; page++) list.push(page);
    return list;
  };
  return {
    count: total,
    tile: (position) => pages.get(Math.floor(position / PAGE))?.[position % PAGE],
    async need(first, last) {
      // Far-away pages go: memory stays bounded however far one scrolls.
      for (const page of pages.keys()) if (page < Math.floor(first / PAGE) - 4 || page > Math.floor(last / PAGE) + 4) pages.delete(page);
      await Promise.all(pagesOf(first, last).filter((page) => !pages.has(page) && !loading.has(page)).map(fetchPage));
    },
    async refresh(first, last) {
      await Promise.all(pagesOf(first, last).filter((page) => !loading.has(page)).map(fetchPage));
    },
  };
}

/**
 * The items a filter keeps (some states, in item order; or a minimum CLIP
 * score, in the order they were rendered), read a page at a time as the grid
 * reaches the end.
 */
function filtered(batchId: string, filter: string, changed: () => void): TileSource {
  let items: ItemTile[] = [];
  let next: string | null | undefined;
  let loading: Promise<void> | undefined;
  const page = (after: string | null | undefined) =>
    api<ItemsResponse>(`/api/batches/${encodeURIComponent(batchId)}/items?${filter}&limit=${PAGE}${after ? `&after=${after}` : ""}`);
  const load = (read: () => Promise<void>) => {
    loading ??= read().finally(() => {
      loading = undefined;
    });
    return loading;
  };
  return {
    // One extra row of placeholders while more may follow.
    count: () => items.length + (next === null ? 0 : Math.min(PAGE, 24)),
    tile: (position) => items[position],
    async need(_first, last) {
      if (next === null || last < items.length) return;
      await load(async () => {
        const response = await page(next);
        items = [...items, ...response.items];
        next = "next" in response ? response.next : null;
        changed();
      });
    },
    async refresh() {
      // Items enter a state anywhere in the batch: re-read the first pages
      // again, into a new list, so that the tiles in view stay clickable meanwhile.
      if (loading) return;
      await load(async () => {
        const fresh: ItemTile[] = [];
        let cursor: string | null | undefined;
        while (cursor !== null && fresh.length < Math.max(items.length, 1)) {
          const response = await page(cursor);
          fresh.push(...response.items);
          cursor = "next" in response ? response.next : null;
        }
        items = fresh;
        next = cursor;
        changed();
      });
    },
  };
}

/** A batch's images, lazily loaded and virtualised; click one for its parameters. */
export function galleryView({ live, route }: ViewContext): View {
  const batchId = route.params.id!;
  const state = route.query.get("state") ?? "all";
  const minScore = route.query.get("minScore") ?? "";
  let total = 0;
  let range: [number, number] = [0, 0];
  const summary = h("span", { class: "muted" });
  const title = h("h1", null, "Gallery");
  // A page arrived: the count (filtered) or the tiles in view changed.
  const redraw = () => grid.setCount(source.count());
  const source = minScore
    ? filtered(batchId, `minScore=${encodeURIComponent(minScore)}`, redraw)
    : state === "all" ? wholeBatch(batchId, () => total, redraw) : filtered(batchId, `state=${state}`, redraw);
  const lightbox = new Lightbox((position) => source.tile(position));
  const renderTile = (position: number) => {
    const tile = source.tile(position);
    if (!tile) return h("div", { class: "tile loading" }, h("div", { class: "tile-placeholder" }));
    const picture = tile.hasImage
      ? h("img", { src: `/api/items/${tile.itemId}/thumbnail`, alt: tile.prompt, loading: "lazy", decoding: "async", draggable: "false" })
      : h("div", { class: "tile-placeholder" }, badge(tile.state === "queued" || tile.state === "leased" ? (tile.state === "leased" ? "rendering" : "queued") : tile.state));
    return h("button", { class: `tile state-${tile.state}`, type: "button", title: tile.error || tile.prompt, "data-index": tile.index, "data-seed": tile.seed, onclick: () => void lightbox.open(position) },
      picture,
      h("span", { class: "tile-caption" },
        h("span", null, `#${tile.index}`),
        tile.clipScore === null ? h("span", { class: "muted" }, `seed ${tile.seed}`) : h("span", { class: "muted", "data-field": "clip", title: `seed ${tile.seed}` }, `CLIP ${score(tile.clipScore)}`)));
  };
  const fetchVisible = throttled(() => source.need(range[0], range[1]), 150);
  const grid = new VirtualGrid({
    tileWidthPx: 168,
    tileHeightPx: 196,
    gapPx: 12,
    overscanRows: 2,
    renderTile,
    tileKey: (position) => {
      const tile = source.tile(position);
      return tile ? `${tile.itemId}:${tile.state}:${tile.hasImage}` : "";
    },
    onRange: (first, last) => {
      range = [first, last];
      fetchVisible.run();
    },
  });
  // A minimum CLIP similarity: only items whose accepted image scored at least that.
  const scoreInput = h("input", { type: "number", name: "minScore", id: "gallery-min-score", min: -1, max: 1, step: 0.01, value: minScore, placeholder: "0.28", class: "score-input" });
  const scoreForm = h("form", { class: "score-filter", role: "search", "aria-label": "Minimum CLIP score" },
    h("label", { for: "gallery-min-score", class: "muted small" }, "Min CLIP score"), scoreInput,
    h("button", { class: "button", type: "submit" }, "Filter"));
  scoreForm.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = link.gallery(batchId, scoreInput.value ? "all" : state, scoreInput.value.trim());
  });
  const element = h("div", { class: "page gallery-page" },
    h("header", { class: "page-head" },
      h("div", null, title, summary),
      h("nav", { class: "chips", "aria-label": "Item state" },
        ...FILTERS.map(([value, label]) => h("a", { class: `chip${value === state && !minScore ? " active" : ""}`, href: link.gallery(batchId, value) }, label)),
        h("a", { class: "chip", href: link.batch(batchId) }, "Batch ›")),
      scoreForm),
    grid.element);

  const loadBatch = async () => {
    const { batch } = await api<BatchDetailResponse>(`/api/batches/${encodeURIComponent(batchId)}`);
    total = batch.total;
    setText(title, `Gallery · ${batch.name || batch.id}`);
    setText(summary, `${count(batch.done)} of ${count(batch.total)} images rendered${batch.failed ? ` · ${count(batch.failed)} failed` : ""}${minScore ? ` · showing CLIP ≥ ${minScore}` : ""}`);
    grid.setCount(source.count());
  };
  const refresh = throttled(async () => {
    await loadBatch();
    await source.refresh(range[0], range[1]);
    grid.setCount(source.count());
  }, 3_000);
  const unsubscribe = [
    live.on("progress", (events) => {
      if (events.some((event) => event.batchId === batchId)) refresh.run();
    }),
    live.on("resync", () => refresh.run()),
  ];
  void loadBatch().catch((error: Error) => setText(summary, error.message));
  return {
    element,
    dispose() {
      for (const off of unsubscribe) off();
      fetchVisible.cancel();
      refresh.cancel();
      grid.dispose();
      lightbox.dispose();
    },
  };
}
