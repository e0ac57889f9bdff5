// The Sector Facts explorer: the reference browser integration, using only the public API.
// Every text from the API is set with textContent; search snippets (HTML-escaped by the API, with <mark>)
// are parsed into text and <mark> nodes rather than given to innerHTML.
"use strict";

(function () {
  const ROOT = document.querySelector('meta[name="api-root"]').content;
  const FILTERS = ["theme", "entity", "kind", "document", "relation"];
  const PAGE = 20;
  const $ = (id) => document.getElementById(id);

  const state = {
    theme: [], entity: [], kind: [], document: [], relation: [],
    contested: false, q: "", claim: null, asOf: "", includeUndated: false,
  };
  const PARTIAL_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
  const labels = new Map(); // "theme:slug" -> display name, for the filter chips
  const documents = new Map(); // id -> {title, chars}: the text as code points (spans count code points)
  let cursor = null;
  let generation = 0; // answers of a superseded refresh are dropped

  // --- the API ------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && problem.detail) || `HTTP ${status}`);
      this.status = status;
      this.problem = problem;
    }
  }

  async function api(path, params = [], options = {}) {
    const url = new URL(ROOT + path, window.location.origin);
    for (const [name, value] of params) url.searchParams.append(name, value);
    const response = await fetch(url, { headers: { Accept: "application/json" }, signal: options.signal });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  }

  function filterParams() {
    const params = [];
    for (const name of FILTERS) if (state[name].length) params.push([name, state[name].join(",")]);
    if (state.contested) params.push(["contradicted", "true"]);
    if (state.asOf) {
      params.push(["as_of", state.asOf]);
      if (state.includeUndated) params.push(["include_undated", "true"]);
    }
    if (state.q) params.push(["q", state.q]);
    return params;
  }

  function showError(error) {
    if (error && error.name === "AbortError") return;
    const box = $("error");
    box.textContent = error ? `Something went wrong: ${error.message}` : "";
    box.hidden = !error;
  }

  // --- small DOM helpers --------------------------------------------------------------------------------

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "dataset") Object.assign(node.dataset, value);
      else if (key in node) node[key] = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  // The API's snippets are HTML-escaped text with <mark>…</mark>: rebuild them as nodes, never as HTML.
  function snippetNodes(snippet) {
    const fragment = document.createDocumentFragment();
    const decoder = document.createElement("textarea");
    let marked = false;
    for (const part of snippet.split(/(<mark>|<\/mark>)/)) {
      if (part === "<mark>") marked = true;
      else if (part === "</mark>") marked = false;
      else if (part) {
        decoder.innerHTML = part; // a textarea's content is never parsed as markup: entities only
        const text = document.createTextNode(decoder.value);
        fragment.append(marked ? el("mark", {}, text) : text);
      }
    }
    return fragment;
  }

  // --- the URL keeps the state, so a view can be shared and reloaded ------------------------------------

  function readLocation() {
    const params = new URLSearchParams(window.location.search);
    for (const name of FILTERS) {
      state[name] = (params.get(name) || "").split(",").map((v) => v.trim()).filter(Boolean);
    }
    state.contested = params.get("contradicted") === "true";
    const asOf = params.get("as_of") || "";
    state.asOf = PARTIAL_DATE.test(asOf) ? asOf : "";
    state.includeUndated = params.get("include_undated") === "true";
    state.q = params.get("q") || "";
    state.claim = params.get("claim");
    $("search").value = state.q;
    $("filter-contested").checked = state.contested;
    showDate();
  }

  // The date picker shows a full date; a year or month from the URL (as_of=2019) stays in the chip.
  function showDate() {
    $("as-of").value = state.asOf.length === 10 ? state.asOf : "";
    $("include-undated").checked = state.includeUndated;
    $("include-undated").disabled = !state.asOf;
  }

  function writeLocation() {
    const params = new URLSearchParams(filterParams());
    if (state.claim) params.set("claim", state.claim);
    const query = params.toString();
    window.history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
  }

  // --- facets ---------------------------------------------------------------------------------------------

  async function facetCounts(params) {
    try {
      return await api("/v1/claims/facets", params);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404 || (error.problem && error.problem.type !== "about:blank")) {
        throw error;
      }
    }
    // An API without /v1/claims/facets: the values without counts of the current selection.
    const [themes, entities] = await Promise.all([
      api("/v1/themes", [["limit", "100"]]),
      api("/v1/entities", [["limit", "100"]]),
    ]);
    const value = (name, v, label, count) => ({ value: v, label, count, selected: state[name].includes(v) });
    return {
      total: null,
      facets: {
        theme: themes.data.map((t) => value("theme", t.slug, t.name, t.claim_count)),
        entity: entities.data.map((e) => ({ ...value("entity", e.slug, e.name, e.claim_count), type: e.type })),
        kind: ["fact", "opinion", "prediction", "recommendation"].map((k) => value("kind", k, k, null)),
        document: [],
        relation: [],
      },
    };
  }

  function renderFacet(name, values) {
    const list = $(`facet-${name}`);
    list.replaceChildren();
    for (const item of values) {
      labels.set(`${name}:${item.value}`, item.label);
      const box = el("input", { type: "checkbox", checked: item.selected, dataset: { facet: name, value: item.value } });
      const count = item.count === null || item.count === undefined ? "" : String(item.count);
      const title = item.type ? `${item.label} (${item.type})` : item.label;
      const row = el("li", {}, el("label", { title }, box, el("span", {}, item.label), el("span", { className: "count" }, count)));
      if (item.count === 0 && !item.selected) row.className = "empty";
      list.append(row);
    }
  }

  async function loadFacets(run) {
    const counts = await facetCounts(filterParams());
    if (run !== generation) return;
    for (const name of ["theme", "kind", "entity", "relation"]) renderFacet(name, counts.facets[name] || []);
    // An API without relations has no relation facet: no empty section.
    $("facet-relation-section").hidden = !(counts.facets.relation || []).length;
  }

  // --- the claim list ---------------------------------------------------------------------------------

  function renderChips() {
    const box = $("active-filters");
    box.replaceChildren();
    for (const name of FILTERS) {
      for (const value of state[name]) {
        const label = labels.get(`${name}:${value}`) || value;
        box.append(el("button", { type: "button", className: "chip", dataset: { facet: name, value }, title: `Remove ${name} filter` }, `${label} ×`));
      }
    }
    if (state.contested) {
      box.append(el("button", { type: "button", className: "chip", dataset: { facet: "contested", value: "true" }, title: "Show every claim, contested or not" }, "Contested ×"));
    }
    if (state.asOf) {
      const undated = state.includeUndated ? ", undated included" : "";
      box.append(el("button", { type: "button", className: "chip", dataset: { facet: "as_of", value: state.asOf }, title: "Show claims of any date" }, `As of ${state.asOf}${undated} ×`));
    }
    if (state.q) {
      box.append(el("button", { type: "button", className: "chip", dataset: { facet: "q", value: state.q }, title: "Clear the search" }, `“${state.q}” ×`));
    }
  }

  async function snippetsFor(query) {
    if (!query) return new Map();
    try {
      const hits = await api("/v1/search", [["q", query], ["type", "claim"], ["limit", "100"]]);
      return new Map(hits.data.map((hit) => [hit.id, hit.snippet]));
    } catch (error) {
      return new Map(); // snippets are a nicety: the list stands without them
    }
  }

  let snippets = new Map();

  // The article's own claims rest on a quote; a cited source's claims are our paraphrase of it. The badge
  // says which in words (the styling only repeats it), and names the cited source's publisher.
  function basisBadge(claim) {
    const paraphrase = claim.basis === "paraphrase";
    const publisher = claim.source && claim.source.publisher;
    const text = paraphrase ? `Cited source${publisher ? ` · ${publisher}` : ""} · paraphrase` : "Article · quote";
    return el("span", { className: `basis ${paraphrase ? "paraphrase" : "quote"}` }, text);
  }

  function corroborationText(counts) {
    if (!counts) return "";
    const part = (n, verb) => (n ? `${verb} by ${n} independent ${n === 1 ? "source" : "sources"}` : null);
    return [
      part(counts.supporting_sources, "supported"),
      part(counts.contradicting_sources, "contradicted"),
      part(counts.qualifying_sources, "qualified"),
    ].filter(Boolean).join(" · ");
  }

  // A claim a newer version of its text did not hold exactly: its quote is in an older version.
  function isOrphaned(claim) {
    return Boolean(claim.anchor && claim.anchor.status === "orphaned");
  }

  function orphanBadge(claim) {
    const title = `Not found exactly once in the current text; quoted from version ${claim.anchor.document_version}`;
    return el("span", { className: "orphaned", title }, "Orphaned · older version");
  }

  // --- dates and figures, as the API states them ------------------------------------------------------

  // A figure's amount in its unit: a currency (ISO 4217) as money, a percentage, else a count of the unit.
  function formatAmount(amount, unit) {
    const compact = { notation: "compact", maximumFractionDigits: 2 };
    if (/^[A-Z]{3}$/.test(unit)) {
      try {
        return new Intl.NumberFormat("en", { ...compact, style: "currency", currency: unit, currencyDisplay: "code" }).format(amount);
      } catch (error) {
        // a code this browser does not know: the number and the code
      }
    }
    const number = new Intl.NumberFormat("en", compact).format(amount);
    return unit === "percent" ? `${number}%` : `${number} ${unit}`;
  }

  function quantityText(q) {
    const fmt = (amount) => formatAmount(amount, q.unit);
    let text;
    if (q.lower !== null && q.upper !== null) text = `${fmt(q.lower)} to ${fmt(q.upper)}`;
    else if (q.lower !== null) text = `over ${fmt(q.lower)}`;
    else if (q.upper !== null) text = `up to ${fmt(q.upper)}`;
    else text = fmt(q.amount);
    if (q.approximate) text = `about ${text}`;
    return q.period ? `${text} a ${q.period}` : text;
  }

  function validityText(validity) {
    const from = validity && validity.valid_from;
    const to = validity && validity.valid_to;
    if (from && to) return `From ${from} to ${to}`;
    if (from) return `Since ${from}`;
    if (to) return `Until ${to}`;
    return "";
  }

  function claimItem(claim) {
    const button = el(
      "button",
      { type: "button", className: `claim basis-${claim.basis === "paraphrase" ? "paraphrase" : "quote"}`, dataset: { id: claim.id } },
      basisBadge(claim),
      el("span", { className: "statement" }, el("span", { className: `kind ${claim.kind}` }, claim.kind), claim.statement),
    );
    if (isOrphaned(claim)) button.insertBefore(orphanBadge(claim), button.children[1]);
    const corroboration = corroborationText(claim.corroboration);
    if (corroboration) button.append(el("span", { className: "corroboration-line" }, corroboration));
    const when = validityText(claim.validity);
    const figures = (claim.quantities || []).map(quantityText);
    if (when || figures.length) {
      button.append(el("span", { className: "measures-line" }, [when, ...figures].filter(Boolean).join(" · ")));
    }
    const snippet = snippets.get(claim.id);
    if (snippet) button.append(el("span", { className: "snippet" }, snippetNodes(snippet)));
    button.append(el("span", { className: "themes" }, claim.themes.map((t) => t.name).join(" · ")));
    if (claim.id === state.claim) button.setAttribute("aria-current", "true");
    return el("li", {}, button);
  }

  async function loadClaims(run, more) {
    const params = [...filterParams(), ["limit", String(PAGE)]];
    if (more && cursor) params.push(["cursor", cursor]);
    const page = await api("/v1/claims", params);
    if (run !== generation) return;
    if (!more) $("claims").replaceChildren();
    $("claims").append(...page.data.map(claimItem));
    cursor = page.meta.next_cursor;
    $("more").hidden = !cursor;
    const total = page.meta.total;
    const undated = page.meta.undated_left_out ? `; ${page.meta.undated_left_out} undated left out` : "";
    $("summary").textContent = `${total} ${total === 1 ? "claim" : "claims"}${state.asOf ? ` known to hold as of ${state.asOf}` : ""}${state.q ? `, best match first` : ", in document order"}${undated}`;
  }

  async function refresh() {
    const run = ++generation;
    cursor = null;
    writeLocation();
    renderChips();
    showError(null);
    try {
      snippets = await snippetsFor(state.q);
      await Promise.all([loadFacets(run), loadClaims(run, false)]);
      renderChips(); // the facets now know every selected value's label
    } catch (error) {
      if (run === generation) showError(error);
    }
  }

  function toggle(name, value, on) {
    if (name === "q") state.q = on ? value : "";
    else if (name === "contested") state.contested = on;
    else if (name === "as_of") state.asOf = on && PARTIAL_DATE.test(value) ? value : "";
    else if (name === "include_undated") state.includeUndated = on;
    else if (on && !state[name].includes(value)) state[name].push(value);
    else if (!on) state[name] = state[name].filter((v) => v !== value);
    if (name === "q") $("search").value = state.q;
    $("filter-contested").checked = state.contested;
    showDate();
    refresh();
  }

  // --- one claim: its quote in the article, context notes, citation ---------------------------------

  async function loadDocument(id, version) {
    // An orphaned claim's span points into an older version of the text: that version is shown.
    const key = version ? `${id}@${version}` : id;
    if (!documents.has(key)) {
      const doc = await api(`/v1/documents/${encodeURIComponent(id)}`);
      const text = version ? (await api(`/v1/documents/${encodeURIComponent(id)}/versions/${version}`)).text : doc.text;
      // Spans count Unicode code points; JavaScript strings count UTF-16 units: split by code point.
      documents.set(key, { title: doc.title, chars: Array.from(text) });
    }
    return documents.get(key);
  }

  function renderQuote(doc, claim) {
    const box = $("d-text");
    const { start, end } = claim.span;
    const quote = doc.chars.slice(start, end).join("");
    const mark = el("mark", { id: "quote" }, quote);
    box.replaceChildren(doc.chars.slice(0, start).join(""), mark, doc.chars.slice(end).join(""));
    box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3);
  }

  function renderContext(claim) {
    const list = $("d-context");
    list.replaceChildren();
    if (!claim.context.length) {
      list.append(el("li", { className: "placeholder" }, "No other source is recorded for this claim."));
      return;
    }
    for (const note of claim.context) {
      const sources = el("ul", { className: "sources" });
      for (const source of note.sources) {
        const text = [source.publisher, `“${source.title}”`, source.date].filter(Boolean).join(", ");
        const safeUrl = typeof source.url === "string" && /^https?:\/\//i.test(source.url);
        sources.append(el("li", {}, safeUrl ? el("a", { href: source.url, rel: "noopener noreferrer", target: "_blank" }, text) : text));
      }
      list.append(el("li", {}, el("p", {}, note.note), sources));
    }
  }

  async function citationFor(claim, title) {
    try {
      return (await api(`/v1/claims/${encodeURIComponent(claim.id)}/cite`)).citation;
    } catch (error) {
      // No citation route on this API: compose one from what the claim and its document say.
      const permalink = new URL(`${ROOT}/v1/claims/${encodeURIComponent(claim.id)}`, window.location.href).href;
      const words = claim.quote ? `“${claim.quote}”` : `${claim.statement} (paraphrase)`;
      return `${words} — ${title}. ${permalink}`;
    }
  }

  // A source as "Publisher, “Title”, date", linked when its URL is http(s) (never a javascript: URL).
  function sourceLine(source) {
    const text = [source.publisher, source.title ? `“${source.title}”` : null, source.published_date || source.date]
      .filter(Boolean).join(", ");
    const safeUrl = typeof source.url === "string" && /^https?:\/\//i.test(source.url);
    return safeUrl ? el("a", { href: source.url, rel: "noopener noreferrer", target: "_blank" }, text) : text;
  }

  // A cited source's claim: we hold no text of it, so the paraphrase and its citation stand in its place.
  function renderCited(claim) {
    const box = $("d-cited");
    box.replaceChildren(
      el("p", { className: "paraphrase-note" }, "Our paraphrase of a cited source; the API holds no text of it, so there is no quote."),
      el("p", { className: "source-line" }, "Source: ", sourceLine(claim.source)),
    );
  }

  function renderMeasures(claim) {
    $("d-validity").textContent = validityText(claim.validity) || "Undated: neither its text nor its source states when it holds.";
    const list = $("d-figures");
    list.replaceChildren();
    for (const q of claim.quantities || []) {
      list.append(el("li", {}, el("strong", {}, quantityText(q)), ` — stated as “${q.text}”`));
    }
    list.hidden = !list.children.length;
  }

  const READINGS = [
    ["contradicted_by", "Contradicted by"],
    ["supported_by", "Supported by"],
    ["qualified_by", "Qualified by"],
    ["contradicts", "Contradicts"],
    ["supports", "Supports"],
    ["qualifies", "Qualifies"],
    ["same_as", "Same claim as"],
    ["has_part", "Has parts"],
    ["part_of", "Part of"],
  ];

  function relatedItem(relation) {
    const other = relation.claim;
    const open = el("button", { type: "button", className: "related-open", dataset: { open: other.id } }, other.statement);
    const item = el("li", { className: `related basis-${other.basis === "paraphrase" ? "paraphrase" : "quote"}`, dataset: { id: other.id } },
      el("p", { className: "related-head" }, basisBadge(other), " ", el("span", { className: `kind ${other.kind}` }, other.kind)),
      el("p", { className: "related-statement" }, open));
    if (other.quote) item.append(el("blockquote", { className: "related-quote" }, `“${other.quote}”`));
    item.append(el("p", { className: "source-line" }, "Source: ", sourceLine(other.source)));
    if (relation.note) item.append(el("p", { className: "relation-note" }, el("span", { className: "label" }, "Note: "), relation.note));
    return item;
  }

  function renderRelations(claim) {
    $("d-corroboration").textContent =
      corroborationText(claim.corroboration) || "No independent source supports, contradicts or qualifies this claim.";
    const box = $("d-relations");
    box.replaceChildren();
    const relations = claim.relations || [];
    if (!relations.length) {
      box.append(el("p", { className: "placeholder" }, "No relation to another claim is recorded."));
      return;
    }
    const known = new Set(READINGS.map(([reading]) => reading));
    const groups = [...READINGS, ...[...new Set(relations.map((r) => r.relation))].filter((r) => !known.has(r)).map((r) => [r, r])];
    for (const [reading, heading] of groups) {
      const members = relations.filter((relation) => relation.relation === reading);
      if (!members.length) continue;
      const id = `rel-${reading}`;
      box.append(el("section", { className: `relation-group ${reading}`, dataset: { relation: reading }, "aria-labelledby": id },
        el("h4", { id }, `${heading} (${members.length})`),
        el("ul", {}, ...members.map(relatedItem))));
    }
  }

  async function selectClaim(id) {
    state.claim = id;
    writeLocation();
    for (const button of document.querySelectorAll(".claim")) {
      if (button.dataset.id === id) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
    try {
      const claim = await api(`/v1/claims/${encodeURIComponent(id)}`);
      const quoted = claim.span && claim.quote !== null && claim.quote !== undefined;
      const orphaned = isOrphaned(claim);
      const doc = quoted ? await loadDocument(claim.document_id, orphaned ? claim.anchor.document_version : null) : null;
      if (state.claim !== id) return;
      $("detail-placeholder").hidden = true;
      $("detail-body").hidden = false;
      $("d-basis").replaceWith(Object.assign(basisBadge(claim), { id: "d-basis" }));
      const orphanNote = $("d-orphaned");
      orphanNote.hidden = !orphaned;
      if (orphaned) {
        orphanNote.textContent = `Orphaned: a newer version of the text does not hold this quote exactly once; shown in version ${claim.anchor.document_version}.`;
      }
      const kind = $("d-kind");
      kind.textContent = claim.kind;
      kind.className = `kind ${claim.kind}`;
      $("d-id").textContent = claim.id;
      $("d-statement").textContent = claim.statement;
      const title = doc ? doc.title : (claim.source && claim.source.title) || claim.document_id;
      $("d-source-heading").firstChild.textContent = doc ? "In the article " : "From a cited source ";
      $("d-doc-title").textContent = title;
      const tags = $("d-tags");
      tags.replaceChildren();
      for (const theme of claim.themes) {
        tags.append(el("button", { type: "button", className: "chip", dataset: { facet: "theme", value: theme.slug, add: "1" } }, theme.name));
      }
      for (const entity of claim.entities) {
        tags.append(el("button", { type: "button", className: "chip", dataset: { facet: "entity", value: entity.slug, add: "1" } }, entity.name));
      }
      $("d-text").hidden = !doc;
      $("d-cited").hidden = Boolean(doc);
      if (doc) renderQuote(doc, claim);
      else renderCited(claim);
      renderMeasures(claim);
      renderRelations(claim);
      renderContext(claim);
      $("d-copy-status").textContent = "";
      $("d-citation").value = await citationFor(claim, title);
    } catch (error) {
      showError(error);
    }
  }

  async function copyCitation() {
    const area = $("d-citation");
    const status = $("d-copy-status");
    try {
      await navigator.clipboard.writeText(area.value);
      status.textContent = "Copied";
    } catch (error) {
      area.select();
      status.textContent = document.execCommand("copy") ? "Copied" : "Select the text above and copy it";
    }
  }

  // --- search box with autocomplete (an ARIA combobox) -----------------------------------------------

  const search = $("search");
  const listbox = $("suggestions");
  let suggestTimer = 0;
  let suggestAbort = null;
  let active = -1;

  function closeSuggestions() {
    listbox.hidden = true;
    listbox.replaceChildren();
    search.setAttribute("aria-expanded", "false");
    search.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function setActive(index) {
    const options = listbox.querySelectorAll('[role="option"]');
    if (!options.length) return;
    active = (index + options.length) % options.length;
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
    search.setAttribute("aria-activedescendant", options[active].id);
  }

  function choose(option) {
    closeSuggestions();
    if (option.dataset.facet === "q") {
      toggle("q", option.dataset.value, true);
      return;
    }
    labels.set(`${option.dataset.facet}:${option.dataset.value}`, option.dataset.label);
    search.value = state.q;
    toggle(option.dataset.facet, option.dataset.value, true);
  }

  async function suggest() {
    const typed = search.value.trim();
    if (suggestAbort) suggestAbort.abort();
    if (!typed) {
      closeSuggestions();
      return;
    }
    suggestAbort = new AbortController();
    let found;
    try {
      found = await api("/v1/autocomplete", [["q", typed.slice(0, 100)]], { signal: suggestAbort.signal });
    } catch (error) {
      if (error.name !== "AbortError") closeSuggestions();
      return;
    }
    listbox.replaceChildren();
    found.data.forEach((item, i) => {
      const kind = item.type === "entity" ? item.entity_type || "entity" : "theme";
      const alias = item.matched !== item.name ? ` (${item.matched})` : "";
      listbox.append(
        el(
          "li",
          { id: `suggestion-${i}`, role: "option", "aria-selected": "false", dataset: { facet: item.type, value: item.slug, label: item.name } },
          el("span", { className: "type" }, kind),
          el("span", {}, item.name + alias),
          el("span", { className: "count" }, `${item.claim_count} claims`),
        ),
      );
    });
    listbox.append(
      el("li", { id: `suggestion-${found.data.length}`, role: "option", "aria-selected": "false", dataset: { facet: "q", value: typed } },
        el("span", { className: "type" }, "search"), el("span", {}, `Claims mentioning “${typed}”`)),
    );
    listbox.hidden = false;
    search.setAttribute("aria-expanded", "true");
    active = -1;
  }

  search.addEventListener("input", () => {
    window.clearTimeout(suggestTimer);
    suggestTimer = window.setTimeout(suggest, 120);
  });
  search.addEventListener("keydown", (event) => {
    if (listbox.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      setActive(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(listbox.querySelectorAll('[role="option"]')[active]);
    } else if (event.key === "Escape") {
      closeSuggestions();
    }
  });
  search.addEventListener("blur", () => window.setTimeout(closeSuggestions, 150));
  listbox.addEventListener("mousedown", (event) => {
    const option = event.target.closest('[role="option"]');
    if (option) {
      event.preventDefault(); // keep the focus, so blur does not close the list first
      choose(option);
    }
  });
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    window.clearTimeout(suggestTimer);
    closeSuggestions();
    toggle("q", search.value.trim(), Boolean(search.value.trim()));
  });

  // --- wiring -----------------------------------------------------------------------------------------

  $("facets").addEventListener("change", (event) => {
    const box = event.target;
    if (box.dataset && box.dataset.facet) toggle(box.dataset.facet, box.dataset.value, box.checked);
  });
  document.addEventListener("click", (event) => {
    const chip = event.target.closest(".chip");
    if (chip) {
      labels.set(`${chip.dataset.facet}:${chip.dataset.value}`, chip.textContent.replace(/ ×$/, ""));
      toggle(chip.dataset.facet, chip.dataset.value, Boolean(chip.dataset.add));
      return;
    }
    const claim = event.target.closest(".claim");
    if (claim) selectClaim(claim.dataset.id);
    const related = event.target.closest(".related-open");
    if (related) selectClaim(related.dataset.open);
  });
  $("filter-contested").addEventListener("change", (event) => toggle("contested", "true", event.target.checked));
  $("as-of").addEventListener("change", (event) => toggle("as_of", event.target.value, Boolean(event.target.value)));
  $("include-undated").addEventListener("change", (event) => toggle("include_undated", "true", event.target.checked));
  $("more").addEventListener("click", () => loadClaims(generation, true).catch(showError));
  $("d-copy").addEventListener("click", copyCitation);

  readLocation();
  refresh().then(() => {
    if (state.claim) selectClaim(state.claim);
  });
})();
