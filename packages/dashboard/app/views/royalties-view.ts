import type { RoyaltiesResponse } from "../api-types.ts";
import { api } from "../lib/api.ts";
import { h, replace, setText, type Attrs } from "../lib/dom.ts";
import { count } from "../lib/format.ts";
import type { View, ViewContext } from "./view.ts";

const DAY_MS = 86_400_000;
const FIELDS = ["tenant", "from", "to", "pricePerImage", "platformShare"] as const;

/**
 * A tenant's royalty statement for a period, as `atelier royalties` prints
 * it: per creator, images, mean contribution, gross, the platform's share and
 * payable, each image priced by the terms valid when it was made; and the
 * same statement as CSV. The query lives in the page's address, so a
 * statement can be linked to.
 */
export function royaltiesView({ route }: ViewContext): View {
  const today = new Date().toISOString().slice(0, 10);
  const monthStart = `${today.slice(0, 8)}01`;
  const input = (name: (typeof FIELDS)[number], label: string, attrs: Attrs) => {
    const field = h("input", { id: `royalties-${name}`, name, value: route.query.get(name) ?? "", ...attrs });
    return { field, element: h("div", { class: "form-field" }, h("label", { for: `royalties-${name}`, class: "muted small" }, label), field) };
  };
  const inputs = {
    tenant: input("tenant", "Tenant", { required: true, maxlength: 64, autocomplete: "off" }),
    from: input("from", "From (UTC)", { type: "date", required: true }),
    to: input("to", "To, included", { type: "date", required: true }),
    pricePerImage: input("pricePerImage", "Price per image, where terms set none", { inputmode: "decimal", placeholder: "terms" }),
    platformShare: input("platformShare", "Platform share, where terms set none", { inputmode: "decimal", placeholder: "terms" }),
  };
  if (!inputs.from.field.value) inputs.from.field.value = monthStart;
  if (!inputs.to.field.value) inputs.to.field.value = today;
  const form = h("form", { class: "panel royalties-form", "aria-label": "Statement period" },
    ...Object.values(inputs).map((i) => i.element),
    h("div", { class: "actions" }, h("button", { class: "button primary", type: "submit" }, "Show statement")));
  const csv = h("a", { class: "button", hidden: true, "data-action": "csv", download: "" }, "Download CSV");
  const period = h("span", { class: "muted small" });
  const body = h("tbody");
  const status = h("p", { class: "empty muted" }, "Choose a tenant and a period.");
  const element = h("div", { class: "page royalties-page" },
    h("header", { class: "page-head" },
      h("div", null, h("h1", null, "Royalties"), h("p", { class: "muted" }, "Per creator: contribution × price × (1 − platform share), summed over the period's images.")),
      h("div", { class: "actions" }, csv)),
    form,
    // Focusable: on a narrow screen the table scrolls sideways, and keyboards must reach that too.
    h("section", { class: "panel", tabindex: 0, "aria-label": "Statement" },
      h("header", { class: "section-head" }, h("h2", null, "Statement"), period),
      h("table", { class: "table royalties-table" },
        h("thead", null, h("tr", null, h("th", null, "Creator"), h("th", null, "Payee"),
          ...["Images", "Mean contribution", "Gross", "Platform", "Payable"].map((label) => h("th", { class: "num" }, label)))),
        body),
      status));

  const query = () => {
    const params = new URLSearchParams();
    for (const name of FIELDS) if (inputs[name].field.value.trim()) params.set(name, inputs[name].field.value.trim());
    return params;
  };
  const load = async (params: URLSearchParams) => {
    try {
      const statement = await api<RoyaltiesResponse>(`/api/royalties?${params}`);
      setText(period, `tenant ${statement.tenant} · ${new Date(statement.fromMs).toISOString().slice(0, 10)} to ${new Date(statement.toMs - DAY_MS).toISOString().slice(0, 10)}, UTC`);
      replace(body, ...statement.lines.map((line) =>
        h("tr", { "data-creator": line.creatorId },
          h("td", { "data-field": "name" }, line.displayName),
          h("td", { class: "mono small", "data-field": "payee" }, line.payee),
          h("td", { class: "num", "data-field": "images" }, count(line.images)),
          h("td", { class: "num", "data-field": "mean" }, line.meanContribution),
          h("td", { class: "num", "data-field": "gross" }, line.gross),
          h("td", { class: "num", "data-field": "platform" }, line.platform),
          h("td", { class: "num", "data-field": "payable" }, line.payable))));
      status.hidden = statement.lines.length > 0;
      replace(status, "No registered creator's keyword is in this period's images.");
      csv.hidden = false;
      csv.setAttribute("href", `/api/royalties/csv?${params}`);
    } catch (error) {
      replace(body);
      csv.hidden = true;
      status.hidden = false;
      replace(status, h("span", { class: "error", role: "alert" }, (error as Error).message));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = query();
    history.replaceState(null, "", `#/royalties?${params}`);
    void load(params);
  });
  if (route.query.get("tenant")) void load(query());
  return { element, dispose() {} };
}
