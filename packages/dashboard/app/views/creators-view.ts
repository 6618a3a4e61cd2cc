import type { CreatorChange, CreatorInfo, CreatorRemoved, CreatorsResponse } from "../api-types.ts";
import { confirmAction, toast } from "../components/confirm-dialog.ts";
import { api } from "../lib/api.ts";
import { h, replace, setText, type Attrs } from "../lib/dom.ts";
import { dateTime } from "../lib/format.ts";
import type { View, ViewContext } from "./view.ts";

type TermField = "displayName" | "payee" | "keywords" | "pricePerImage" | "platformShare";

/** Keywords and aliases as typed: comma-separated, so a phrase keeps its spaces. */
const keywordList = (text: string) => text.split(",").map((k) => k.trim()).filter((k) => k !== "");

/**
 * A tenant's creators, as `atelier creators` manages them: registered with a
 * display name, a payee reference, keywords and aliases and optional terms;
 * each change a new version of the terms valid from now (royalty statements
 * price each image by the version of its time); removed with a confirmation.
 * The tenant lives in the page's address, so the list can be linked to.
 */
export function creatorsView({ route }: ViewContext): View {
  let tenant = "";
  let editing: CreatorInfo | undefined;
  let disposed = false;

  const tenantField = h("input", { id: "creators-tenant", name: "tenant", value: route.query.get("tenant") ?? "", required: true, maxlength: 64, autocomplete: "off" });
  const tenantForm = h("form", { class: "panel creators-form", "aria-label": "Tenant" },
    h("div", { class: "form-field" }, h("label", { for: "creators-tenant", class: "muted small" }, "Tenant"), tenantField),
    h("div", { class: "actions" }, h("button", { class: "button primary", type: "submit" }, "Show creators")));

  const field = (name: TermField, label: string, attrs: Attrs) => {
    const input = h("input", { id: `creator-${name}`, name, autocomplete: "off", ...attrs });
    return { input, element: h("div", { class: `form-field${name === "keywords" ? " wide" : ""}` }, h("label", { for: `creator-${name}`, class: "muted small" }, label), input) };
  };
  const fields = {
    displayName: field("displayName", "Display name", { required: true, maxlength: 200 }),
    payee: field("payee", "Payee reference", { required: true, maxlength: 200 }),
    keywords: field("keywords", "Keywords and aliases, comma-separated", { required: true, placeholder: "ada lovelace, lovelace" }),
    pricePerImage: field("pricePerImage", "Price per image (blank: the statement's)", { inputmode: "decimal" }),
    platformShare: field("platformShare", "Platform share, 0 to 1 (blank: the statement's)", { inputmode: "decimal" }),
  };
  const editorTitle = h("h2", { id: "creator-editor-title" }, "Register a creator");
  const editorHint = h("span", { class: "muted small" });
  const submit = h("button", { class: "button primary", type: "submit", "data-action": "save" }, "Register");
  const cancel = h("button", { class: "button", type: "button", "data-action": "cancel", hidden: true }, "Cancel");
  const editorStatus = h("p", { class: "small", hidden: true });
  const editor = h("form", { class: "creators-form", "aria-labelledby": "creator-editor-title" },
    ...Object.values(fields).map((f) => f.element),
    h("div", { class: "actions" }, submit, cancel));
  const editorSection = h("section", { class: "panel creator-editor", hidden: true },
    h("header", { class: "section-head" }, editorTitle, editorHint), editor, editorStatus);

  const body = h("tbody");
  const listTitle = h("span", { class: "muted small" });
  const status = h("p", { class: "empty muted" }, "Choose a tenant.");
  const element = h("div", { class: "page creators-page" },
    h("header", { class: "page-head" },
      h("div", null, h("h1", null, "Creators"),
        h("p", { class: "muted" }, "Whose keywords are measured in each image and paid in royalty statements. A change is a new version of the terms, valid from now; statements price each image by the terms of its time."))),
    tenantForm,
    // Focusable: on a narrow screen the table scrolls sideways, and keyboards must reach that too.
    h("section", { class: "panel", tabindex: 0, "aria-label": "Creators" },
      h("header", { class: "section-head" }, h("h2", null, "Current terms"), listTitle),
      h("table", { class: "table creators-table" },
        h("thead", null, h("tr", null, h("th", null, "Creator"), h("th", null, "Payee"), h("th", null, "Keywords"),
          ...["Price per image", "Platform share", "Version"].map((label) => h("th", { class: "num" }, label)),
          h("th", null, "Valid from"), h("th", null, "Actions"))),
        body),
      status),
    editorSection);

  const showError = (message: string) => {
    editorStatus.hidden = false;
    replace(editorStatus, h("span", { class: "error", role: "alert" }, message));
  };
  const startAdding = () => {
    editing = undefined;
    editor.reset();
    setText(editorTitle, "Register a creator");
    setText(editorHint, `tenant ${tenant}`);
    setText(submit, "Register");
    cancel.hidden = true;
    editorStatus.hidden = true;
  };
  const startEditing = (creator: CreatorInfo) => {
    editing = creator;
    fields.displayName.input.value = creator.displayName;
    fields.payee.input.value = creator.payee;
    fields.keywords.input.value = creator.keywords.join(", ");
    fields.pricePerImage.input.value = creator.pricePerImage ?? "";
    fields.platformShare.input.value = creator.platformShare ?? "";
    setText(editorTitle, `New terms for ${creator.displayName}`);
    setText(editorHint, `version ${creator.version + 1}, valid from when saved`);
    setText(submit, "Save new version");
    cancel.hidden = false;
    editorStatus.hidden = true;
    fields.displayName.input.focus();
  };

  /** What the form says; on an edit, only what differs from the current terms. */
  const change = (): CreatorChange => {
    const decimal = (input: HTMLInputElement) => (input.value.trim() === "" ? null : input.value.trim());
    const typed = {
      displayName: fields.displayName.input.value,
      payee: fields.payee.input.value,
      keywords: keywordList(fields.keywords.input.value),
      pricePerImage: decimal(fields.pricePerImage.input),
      platformShare: decimal(fields.platformShare.input),
    };
    if (!editing) return { tenant, ...typed };
    const was = editing;
    return {
      tenant,
      ...(typed.displayName !== was.displayName ? { displayName: typed.displayName } : {}),
      ...(typed.payee !== was.payee ? { payee: typed.payee } : {}),
      ...(typed.keywords.join("\n") !== was.keywords.join("\n") ? { keywords: typed.keywords } : {}),
      ...(typed.pricePerImage !== was.pricePerImage ? { pricePerImage: typed.pricePerImage } : {}),
      ...(typed.platformShare !== was.platformShare ? { platformShare: typed.platformShare } : {}),
    };
  };

  const remove = async (creator: CreatorInfo) => {
    const sure = await confirmAction({
      title: `Remove ${creator.displayName}?`,
      body: "Their keywords will no longer be measured in new images. Statements of past periods keep them.",
      confirm: "Remove",
      danger: true,
    });
    if (!sure) return;
    try {
      await api<CreatorRemoved>(`/api/creators/${encodeURIComponent(creator.id)}?${new URLSearchParams({ tenant })}`, { method: "DELETE" });
      toast(`Creator ${creator.displayName} removed.`);
      if (editing?.id === creator.id) startAdding();
      await load();
    } catch (error) {
      toast((error as Error).message, "bad");
    }
  };

  const row = (creator: CreatorInfo) =>
    h("tr", { "data-creator": creator.id },
      h("td", { "data-field": "name" }, creator.displayName),
      h("td", { class: "mono small", "data-field": "payee" }, creator.payee),
      h("td", { class: "small", "data-field": "keywords" }, creator.keywords.join(", ")),
      h("td", { class: "num", "data-field": "price" }, creator.pricePerImage ?? "—"),
      h("td", { class: "num", "data-field": "share" }, creator.platformShare ?? "—"),
      h("td", { class: "num", "data-field": "version" }, String(creator.version)),
      h("td", { class: "muted nowrap", "data-field": "since" }, h("time", { datetime: new Date(creator.validFromMs).toISOString() }, dateTime(creator.validFromMs))),
      h("td", { class: "nowrap" },
        h("div", { class: "actions" },
          h("button", { class: "button subtle", type: "button", "data-action": "edit", "aria-label": `Edit ${creator.displayName}`, onclick: () => startEditing(creator) }, "Edit"),
          h("button", { class: "button danger", type: "button", "data-action": "remove", "aria-label": `Remove ${creator.displayName}`, onclick: () => void remove(creator) }, "Remove"))));

  const load = async () => {
    try {
      const list = await api<CreatorsResponse>(`/api/creators?${new URLSearchParams({ tenant })}`);
      if (disposed || list.tenant !== tenant) return;
      setText(listTitle, `tenant ${list.tenant} · oldest first`);
      replace(body, ...list.creators.map(row));
      status.hidden = list.creators.length > 0;
      replace(status, "This tenant has no creators: register one below.");
      editorSection.hidden = false;
    } catch (error) {
      replace(body);
      status.hidden = false;
      replace(status, h("span", { class: "error", role: "alert" }, (error as Error).message));
    }
  };

  tenantForm.addEventListener("submit", (event) => {
    event.preventDefault();
    tenant = tenantField.value.trim();
    history.replaceState(null, "", `#/creators?${new URLSearchParams({ tenant })}`);
    startAdding();
    void load();
  });
  const save = async () => {
    const wasEditing = editing;
    submit.disabled = true;
    try {
      const saved = wasEditing
        ? await api<CreatorInfo>(`/api/creators/${encodeURIComponent(wasEditing.id)}`, { method: "POST", body: change() })
        : await api<CreatorInfo>("/api/creators", { method: "POST", body: change() });
      toast(wasEditing ? `${saved.displayName}: version ${saved.version}, valid from ${dateTime(saved.validFromMs)}.` : `Creator ${saved.displayName} registered.`);
      startAdding();
      await load();
    } catch (error) {
      showError((error as Error).message);
    } finally {
      submit.disabled = false;
    }
  };
  editor.addEventListener("submit", (event) => {
    event.preventDefault();
    void save();
  });
  cancel.addEventListener("click", startAdding);

  if (route.query.get("tenant")) {
    tenant = tenantField.value.trim();
    startAdding();
    void load();
  }
  return {
    element,
    dispose() {
      disposed = true;
    },
  };
}
