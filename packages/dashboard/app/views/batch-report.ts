import type { BatchReportResponse } from "../api-types.ts";
import { h, replace, setText } from "../lib/dom.ts";
import { count } from "../lib/format.ts";

/** A CLIP similarity as the CLI and the tiles show it. */
export function score(value: number): string {
  return value.toFixed(3);
}

/** A share as a percentage with one decimal: 70.0%, 0.6%. */
function share(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

/**
 * A batch's quality report: accepted, rejected and exhausted counts, the
 * fidelity rate and a histogram of its CLIP scores. Hidden for a batch that
 * asked for neither scores nor a gate.
 */
export function batchReportPanel(): { element: HTMLElement; show(response: BatchReportResponse): void } {
  const stat = (label: string, name: string) => {
    const value = h("span", { class: "stat-value", "data-report": name }, "—");
    return { value, element: h("div", { class: "stat" }, h("span", { class: "stat-label" }, label), value) };
  };
  const stats = {
    accepted: stat("Accepted", "accepted"),
    rejected: stat("Rejected attempts", "rejected"),
    exhausted: stat("Exhausted", "exhausted"),
    rejectedShare: stat("Rejected share", "rejected-share"),
    scored: stat("Scored", "scored"),
    median: stat("Median score", "median"),
    fidelity: stat("Fidelity", "fidelity"),
  };
  const fidelityDetail = h("span", { class: "muted small", "data-report": "fidelity-detail" });
  const bins = h("tbody");
  const histogram = h("table", { class: "table histogram" },
    h("caption", { class: "muted small" }, "CLIP similarity of every attempt, in equal bins from the lowest score to the highest"),
    h("thead", null, h("tr", null, h("th", null, "Score"), h("th", null, "Attempts"), h("th", { class: "num" }, "Accepted"), h("th", { class: "num" }, "Rejected"))),
    bins);
  // Focusable: on a narrow screen the histogram scrolls sideways, and keyboards must reach that too.
  const element = h("section", { class: "panel report-panel", hidden: true, tabindex: 0, "aria-label": "Quality report" },
    h("header", { class: "section-head" }, h("h2", null, "Quality report"), fidelityDetail),
    h("div", { class: "stats" }, ...Object.values(stats).map((s) => s.element)),
    histogram);

  return {
    element,
    show({ report, histogram: rows }) {
      element.hidden = report.scoredOutputs === 0 && report.rejectedOutputs === 0 && report.exhaustedItems === 0;
      if (element.hidden) return;
      setText(stats.accepted.value, count(report.acceptedItems));
      setText(stats.rejected.value, count(report.rejectedOutputs));
      setText(stats.exhausted.value, count(report.exhaustedItems));
      stats.exhausted.value.classList.toggle("bad", report.exhaustedItems > 0);
      setText(stats.rejectedShare.value, share(report.rejectedShare));
      setText(stats.scored.value, count(report.scoredOutputs));
      const median = report.scoreDeciles[5];
      setText(stats.median.value, median === undefined ? "—" : score(median));
      setText(stats.fidelity.value, report.fidelityChecked > 0 ? share(report.fidelityRate) : "—");
      setText(fidelityDetail, report.fidelityChecked > 0 ? `${count(report.fidelityMatched)} of ${count(report.fidelityChecked)} images match their own prompt best` : "");
      histogram.hidden = rows.length === 0;
      const most = Math.max(1, ...rows.map((bin) => bin.accepted + bin.rejected));
      replace(bins, ...rows.map((bin, n) => {
        const total = bin.accepted + bin.rejected;
        const bar = (part: number, tone: string) => {
          const piece = h("span", { class: `histogram-bar ${tone}` });
          piece.style.width = `${(part / most) * 100}%`;
          return piece;
        };
        return h("tr", { "data-bin": n, "data-from": bin.from, "data-to": bin.to },
          h("td", { class: "mono nowrap" }, `${score(bin.from)}–${score(bin.to)}`),
          h("td", { class: "histogram-cell", "aria-label": `${count(total)} attempts` }, h("span", { class: "histogram-track" }, bar(bin.accepted, "accepted"), bar(bin.rejected, "rejected"))),
          h("td", { class: "num", "data-field": "accepted" }, count(bin.accepted)),
          h("td", { class: "num", "data-field": "rejected" }, count(bin.rejected)));
      }));
    },
  };
}
