/* credcat search page: renders results and facets into #credcat-search (markup: generator/search/page.py).
 * Loaded before search.js, which calls window.credcatSearchUI(root, api) once the page is ready.
 * State lives in the URL (?q=&type=&cost=&sort=), so every search can be bookmarked and shared. */
(function () {
  "use strict";

  var URL_KEYS = ["type", "provider", "skill", "eqf", "audience", "participation", "language", "cost", "workload", "seal"];
  var SHOWN_VALUES = 8;

  function el(tag, cls, textContent) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (textContent !== undefined && textContent !== null) { e.textContent = String(textContent); }
    return e;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function fmt(n) { return Number(n).toLocaleString("en"); }

  function readState() {
    var p = new URLSearchParams(location.search), filters = {};
    URL_KEYS.forEach(function (k) {
      var vals = p.getAll(k).reduce(function (acc, v) { return acc.concat(v.split(",")); }, []).filter(Boolean);
      if (vals.length) { filters[k] = vals; }
    });
    return {q: p.get("q") || "", filters: filters, sort: p.get("sort") || "relevance", pages: 1};
  }
  function writeState(state) {
    var p = new URLSearchParams();
    if (state.q) { p.set("q", state.q); }
    URL_KEYS.forEach(function (k) { if (state.filters[k] && state.filters[k].length) { p.set(k, state.filters[k].join(",")); } });
    if (state.sort && state.sort !== "relevance") { p.set("sort", state.sort); }
    var qs = p.toString().replace(/%2C/g, ",").replace(/%2F/g, "/");
    var url = location.pathname + (qs ? "?" + qs : "");
    if (url !== location.pathname + location.search) { history.replaceState(null, "", url); }
  }

  function readCompare(key) {
    try { var v = JSON.parse(localStorage.getItem(key) || "[]"); return Array.isArray(v) ? v : []; } catch (e) { return []; }
  }

  window.credcatSearchUI = function (root, api) {
    var ui = root.querySelector(".credcat-search-ui");
    var input = root.querySelector("#credcat-q");
    var form = root.querySelector("form.credcat-search-form");
    var status = root.querySelector(".credcat-status");
    var list = root.querySelector(".credcat-results");
    var facetsBox = root.querySelector(".credcat-facets");
    var chips = root.querySelector(".credcat-active");
    var empty = root.querySelector(".credcat-empty");
    var more = root.querySelector(".credcat-more");
    var sortSel = root.querySelector("#credcat-sort");
    var compareLink = root.querySelector(".credcat-compare-link");
    var state = readState(), seq = 0, started = 0, labelsCache = {};
    ui.hidden = false;
    // the shell's no-JS form gives way to the live one
    document.querySelectorAll(".credcat-nojs").forEach(function (n) { n.hidden = true; });
    root.querySelectorAll("form").forEach(function (f) { if (!ui.contains(f)) { f.hidden = true; } });
    input.value = state.q;
    api.SORTS.forEach(function (s) { var o = el("option", null, s[1]); o.value = s[0]; sortSel.appendChild(o); });
    sortSel.value = state.sort;

    function run(keepFocus) {
      var mine = ++seq;
      started = performance.now();
      root.setAttribute("aria-busy", "true");
      writeState(state);
      api.ready.then(function (s) {
        return s.search(state.q, state.filters, state.sort, api.PAGE * state.pages, true).then(function (res) {
          return labelsFor(s, res).then(function (labels) {
            if (mine !== seq) { return; }
            render(s, res, labels);
            root.setAttribute("aria-busy", "false");
            root.dataset.renderMs = String(Math.round(performance.now() - started));
            root.dataset.seq = String(mine);
            if (keepFocus && keepFocus.focus) { keepFocus.focus(); }
          });
        });
      }).catch(function (err) {
        status.textContent = "Search is unavailable: " + err.message;
        root.setAttribute("aria-busy", "false");
      });
    }

    // facet labels for paged facets (very many providers) are fetched for the values shown only
    function labelsFor(s, res) {
      var meta = s.index.meta, jobs = [], out = {};
      meta.facets.forEach(function (f) {
        if (f.values) { out[f.key] = {values: f.values, labels: f.labels}; return; }
        var nums = Array.from(res.facets[f.key].keys()), pages = new Set();
        nums.forEach(function (n) { pages.add(Math.floor(n / meta.vpage)); });
        out[f.key] = {values: {}, labels: {}};
        pages.forEach(function (pg) {
          jobs.push(s.index.valuePage(f.key, pg).then(function (kv) {
            kv[0].forEach(function (v, i) { out[f.key].values[pg * meta.vpage + i] = v; out[f.key].labels[pg * meta.vpage + i] = kv[1][i]; });
          }));
        });
      });
      return Promise.all(jobs).then(function () { return out; });
    }

    function render(s, res, labels) {
      var words = res.words.length ? "“" + res.words.join(" ") + "”" : "";
      var count = (res.approximate ? "About " : "") + fmt(res.total) + (res.total === 1 ? " credential" : " credentials");
      var msg = res.total ? count + (words ? " for " + words : "") + (res.mode === "or" ? " (matching any of the words)" : "")
                          : "No credentials match" + (words ? " " + words : " these filters");
      status.textContent = msg + ".";
      renderResults(s, res);
      renderFacets(s, res, labels);
      renderChips(s, labels);
      renderEmpty(s, res, labels);
      more.hidden = !res.more;
    }

    function highlight(node, textValue, s, res) {
      var parts = textValue.split(/([\s\-\/]+)/), matched = new Set(res.matched);
      parts.forEach(function (part) {
        var hit = false;
        if (part && !/^[\s\-\/]+$/.test(part)) {
          var low = part.toLowerCase(), trimmed = s.text.trim(low);
          hit = s.text.terms(low).some(function (t) { return matched.has(t); }) ||
                (res.prefix && res.prefix.length >= 2 && trimmed.indexOf(res.prefix) === 0);
        }
        if (hit) { node.appendChild(el("mark", null, part)); } else { node.appendChild(document.createTextNode(part)); }
      });
    }

    function renderResults(s, res) {
      clear(list);
      var chosen = readCompare(api.COMPARE_KEY);
      res.summaries.forEach(function (r, i) {
        var li = el("li", "credcat-result");
        var h = el("h3", "credcat-result-title");
        var a = el("a");
        a.href = new URL(r.url, api.siteRoot).href;
        a.dataset.id = r.id;
        highlight(a, r.title, s, res);
        h.appendChild(a);
        li.appendChild(h);
        li.appendChild(el("p", "credcat-result-provider", r.provider));
        var facts = el("p", "credcat-result-facts");
        [r.type, r.cost, r.workload, r.level].filter(Boolean).forEach(function (t) { facts.appendChild(el("span", "credcat-fact", t)); });
        if (r.seal) { facts.appendChild(el("span", "credcat-seal credcat-seal-" + r.seal, "Seal: " + r.seal.charAt(0).toUpperCase() + r.seal.slice(1) + " (" + r.seal_percent + "%)")); }
        if (r.status === "retired") { facts.appendChild(el("span", "credcat-retired", "Retired")); }
        li.appendChild(facts);
        if (r.summary) { var p = el("p", "credcat-result-summary"); highlight(p, r.summary, s, res); li.appendChild(p); }
        var label = el("label", "credcat-compare");
        var box = el("input");
        box.type = "checkbox"; box.value = r.id; box.checked = chosen.indexOf(r.id) >= 0;
        box.setAttribute("aria-label", "Compare " + r.title);
        box.addEventListener("change", function () { toggleCompare(r.id, box.checked); });
        label.appendChild(box);
        label.appendChild(document.createTextNode(" Compare"));
        li.appendChild(label);
        list.appendChild(li);
      });
      updateCompare();
    }

    function toggleCompare(id, on) {
      var ids = readCompare(api.COMPARE_KEY).filter(function (x) { return x !== id; });
      if (on) { ids.push(id); }
      localStorage.setItem(api.COMPARE_KEY, JSON.stringify(ids));
      updateCompare();
    }
    function updateCompare() {
      var ids = readCompare(api.COMPARE_KEY);
      compareLink.hidden = ids.length < 1;
      compareLink.textContent = "Compare selected (" + ids.length + ")";
      compareLink.href = new URL("compare/?ids=" + ids.join(","), api.siteRoot).href;
    }

    function toggleFilter(key, value, on) {
      var vals = (state.filters[key] || []).filter(function (v) { return v !== value; });
      if (on) { vals.push(value); }
      if (vals.length) { state.filters[key] = vals; } else { delete state.filters[key]; }
      state.pages = 1;
    }

    function renderFacets(s, res, labels) {
      var focused = document.activeElement && facetsBox.contains(document.activeElement) ? document.activeElement.id : null;
      clear(facetsBox);
      s.index.meta.facets.forEach(function (f) {
        var groups = f.groups ? [["technical", "Skills"], ["power", "Power skills"]] : [[null, f.label]];
        groups.forEach(function (g) {
          var counts = res.facets[f.key], selected = state.filters[f.key] || [], items = [];
          var lab = labels[f.key];
          counts.forEach(function (c, n) { if (!f.groups || f.groups[n] === g[0]) { items.push([n, c]); } });
          selected.forEach(function (v) {
            var n = f.values ? f.values.indexOf(v) : Object.keys(lab.values).find(function (k) { return lab.values[k] === v; });
            if (n !== undefined && n !== -1 && (!f.groups || f.groups[n] === g[0]) && !counts.has(Number(n))) { items.push([Number(n), null]); }
          });
          if (!items.length) { return; }
          var ordered = f.key === "provider" || f.key === "skill" || f.key === "language";
          if (ordered) { items.sort(function (a, b) { return (b[1] || 0) - (a[1] || 0) || a[0] - b[0]; }); } else { items.sort(function (a, b) { return a[0] - b[0]; }); }
          var fs = el("fieldset", "credcat-facet");
          fs.dataset.facet = f.key + (g[0] ? "-" + g[0] : "");
          fs.appendChild(el("legend", null, g[1]));
          var extra = [];
          items.forEach(function (it, i) {
            var value = lab.values[it[0]], id = "credcat-f-" + f.key + "-" + it[0];
            var row = el("div", "credcat-facet-value");
            var box = el("input");
            box.type = "checkbox"; box.id = id; box.name = f.key; box.value = value;
            box.checked = selected.indexOf(value) >= 0;
            box.addEventListener("change", function () { toggleFilter(f.key, value, box.checked); run(box); });
            var label = el("label", null, lab.labels[it[0]] + " ");
            label.htmlFor = id;
            if (it[1] !== null) { label.appendChild(el("span", "credcat-count", (res.facetsApproximate ? "~" : "") + fmt(it[1]))); }
            row.appendChild(box); row.appendChild(label);
            if (i >= SHOWN_VALUES && !box.checked) { row.hidden = true; extra.push(row); }
            fs.appendChild(row);
          });
          if (extra.length) {
            var btn = el("button", "credcat-facet-more", "Show " + extra.length + " more");
            btn.type = "button";
            btn.addEventListener("click", function () { extra.forEach(function (r) { r.hidden = false; }); btn.hidden = true; });
            fs.appendChild(btn);
          }
          facetsBox.appendChild(fs);
        });
      });
      if (focused) { var again = document.getElementById(focused); if (again) { again.focus(); } }
    }

    function labelOf(s, labels, key, value) {
      var lab = labels[key];
      if (!lab) { return value; }
      var vals = lab.values, n = Array.isArray(vals) ? vals.indexOf(value) : Object.keys(vals).find(function (k) { return vals[k] === value; });
      return n === undefined || n === -1 ? value : lab.labels[n];
    }

    function renderChips(s, labels) {
      clear(chips);
      var keys = Object.keys(state.filters);
      chips.hidden = !keys.length;
      keys.forEach(function (key) {
        var facet = s.index.facets[key];
        state.filters[key].forEach(function (v) {
          var b = el("button", "credcat-chip", (facet ? facet.label : key) + ": " + labelOf(s, labels, key, v) + " ✕");
          b.type = "button";
          b.setAttribute("aria-label", "Remove filter " + (facet ? facet.label : key) + ": " + labelOf(s, labels, key, v));
          b.addEventListener("click", function () { toggleFilter(key, v, false); run(input); });
          chips.appendChild(b);
        });
      });
      if (keys.length) {
        var all = el("button", "credcat-chip credcat-clear", "Clear all filters");
        all.type = "button";
        all.addEventListener("click", function () { state.filters = {}; state.pages = 1; run(input); });
        chips.appendChild(all);
      }
    }

    function renderEmpty(s, res, labels) {
      clear(empty);
      empty.hidden = res.total > 0;
      if (res.total > 0) { return; }
      var sugg = [];
      Object.keys(res.suggestions).forEach(function (w) { res.suggestions[w].forEach(function (x) { sugg.push([w, x]); }); });
      if (sugg.length) {
        var p = el("p", null, "Did you mean: ");
        sugg.forEach(function (pair, i) {
          var b = el("button", "credcat-suggestion", pair[1]);
          b.type = "button";
          b.addEventListener("click", function () {
            state.q = state.q.split(/\s+/).map(function (w) { return w.toLowerCase() === pair[0] ? pair[1] : w; }).join(" ");
            input.value = state.q; run(input);
          });
          if (i) { p.appendChild(document.createTextNode(" ")); }
          p.appendChild(b);
        });
        empty.appendChild(p);
      }
      var keys = Object.keys(state.filters);
      if (keys.length) {
        var q = el("p", null, "Try without a filter: ");
        keys.forEach(function (key) {
          state.filters[key].forEach(function (v) {
            var b = el("button", "credcat-drop-filter", "Remove " + labelOf(s, labels, key, v));
            b.type = "button";
            b.addEventListener("click", function () { toggleFilter(key, v, false); run(input); });
            q.appendChild(b); q.appendChild(document.createTextNode(" "));
          });
        });
        empty.appendChild(q);
      }
      if (!sugg.length && !keys.length) { empty.appendChild(el("p", null, "Try fewer or more general words, or browse by provider or skill.")); }
    }

    input.addEventListener("input", function () { state.q = input.value; state.pages = 1; run(); });
    form.addEventListener("submit", function (e) { e.preventDefault(); state.q = input.value; run(); });
    sortSel.addEventListener("change", function () { state.sort = sortSel.value; state.pages = 1; run(sortSel); });
    more.addEventListener("click", function () { state.pages += 1; run(more); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { var first = list.querySelector("a"); if (first) { e.preventDefault(); first.focus(); } }
      if (e.key === "Escape") { e.preventDefault(); input.value = ""; state.q = ""; state.pages = 1; run(input); }
    });
    list.addEventListener("keydown", function (e) {
      var links = Array.prototype.slice.call(list.querySelectorAll(".credcat-result-title a"));
      var i = links.indexOf(document.activeElement);
      if (i < 0) { return; }
      if (e.key === "ArrowDown" && i < links.length - 1) { e.preventDefault(); links[i + 1].focus(); }
      if (e.key === "ArrowUp") { e.preventDefault(); if (i > 0) { links[i - 1].focus(); } else { input.focus(); } }
      if (e.key === "Escape") { e.preventDefault(); input.value = ""; state.q = ""; state.pages = 1; input.focus(); run(input); }
    });
    window.addEventListener("popstate", function () { state = readState(); input.value = state.q; sortSel.value = state.sort; run(); });
    window.addEventListener("storage", function (e) { if (e.key === api.COMPARE_KEY) { updateCompare(); } });
    run();
  };
})();
