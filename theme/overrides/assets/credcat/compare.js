/* credcat compare view: reads the selection from ?ids=a/b,c/d (or the saved selection), fetches each
   credential's JSON from api/v1/credentials/<id>.json on this site, and shows them side by side.
   Everything is written with textContent: no record text is ever parsed as HTML. */
(function () {
  "use strict";
  var BANDS = { complete: "Complete", strong: "Strong", partial: "Partial", thin: "Thin" };
  var AUDIENCE = { beginner: "Beginner", intermediate: "Intermediate", advanced: "Advanced" };
  var MODES = { online: "Online", onsite: "On site", blended: "Blended" };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function list(items) {
    if (!items.length) return el("span", "Not stated", "credcat-muted");
    var ul = el("ul");
    items.forEach(function (item) { ul.appendChild(item instanceof Node ? wrap(item) : el("li", item)); });
    return ul;
  }
  function wrap(node) { var li = el("li"); li.appendChild(node); return li; }
  function num(n) { return n === null || n === undefined ? "" : String(n); }
  function title(doc) {
    var t = doc.title || {};
    if (typeof t === "string") return t;
    var keys = Object.keys(t);
    return keys.length ? t[keys[0]] : doc.id;
  }
  function cost(doc) {
    var items = (doc.cost || []).map(function (c) {
      if (c.amount === "0") return "Free";
      return [c.currency, c.amount].filter(Boolean).join(" ") + (c.per ? " per " + c.per : "");
    });
    return items.length ? items.join(" or ") : "Not stated";
  }
  function workload(doc) {
    var w = doc.workload || {}, parts = [];
    if (w.hours !== null && w.hours !== undefined) parts.push(num(w.hours) + " hours");
    if (w.ects !== null && w.ects !== undefined) parts.push(num(w.ects) + " ECTS");
    return parts.join(" · ") || "Not stated";
  }
  function level(doc) {
    var l = doc.level || {}, parts = [];
    if (l.eqf) parts.push("EQF level " + l.eqf);
    if (l.audience) parts.push(AUDIENCE[l.audience] || l.audience);
    return parts.join(" · ") || "Not stated";
  }
  function assessment(doc) {
    var a = doc.assessment;
    if (!a) return "Not stated";
    var parts = [(a.type || []).join(", ")];
    if (a.supervision) parts.push(a.supervision);
    if (a.id_verified === true) parts.push("identity verified");
    return parts.filter(Boolean).join("; ") || "Not stated";
  }
  function qa(doc) {
    return list((doc.quality_assurance || []).map(function (q) {
      return (q.type === "external" ? "External" : "Internal") + (q.body ? ": " + q.body : "");
    }));
  }
  function skills(doc) {
    return list((doc.skills || []).map(function (s) {
      var span = el("span", s.label);
      if (s.kind === "power") { span.appendChild(document.createTextNode(" ")); span.appendChild(el("span", "Power skill", "credcat-tag credcat-tag--power")); }
      return span;
    }));
  }
  function seal(doc) {
    var s = doc.seal;
    if (!s) return el("span", "Not computed");
    var box = el("div");
    box.appendChild(el("strong", s.score + " of " + s.out_of + " (" + (BANDS[s.band] || s.band) + ")"));
    if (s.missing && s.missing.length) { box.appendChild(el("p", "Missing:")); box.appendChild(list(s.missing)); }
    return box;
  }

  var ROWS = [
    ["Type", function (d) { return d.type; }],
    ["Provider", function (d) { return (d.provider && d.provider.name) || ""; }],
    ["Cost", cost], ["Workload", workload], ["Level", level],
    ["Participation", function (d) { return MODES[d.participation] || d.participation || "Not stated"; }],
    ["Assessment", assessment], ["Quality assurance", qa], ["Skills", skills], ["Quality seal", seal],
    ["Status", function (d) { return d.status === "retired" ? "Retired" : "Active"; }]
  ];

  function render(box, api, root, ids, docs) {
    box.querySelectorAll(".credcat-compare-result").forEach(function (n) { n.remove(); });
    var empty = box.querySelector(".credcat-compare-empty");
    if (empty) empty.hidden = ids.length > 0;
    if (!ids.length) return;
    var result = el("div", null, "credcat-compare-result");
    var share = el("p", "Share this comparison: ");
    var link = el("a", location.href);
    link.href = location.href;
    share.appendChild(link);
    result.appendChild(share);
    var scroll = el("div", null, "credcat-scroll");
    scroll.setAttribute("tabindex", "0");
    scroll.setAttribute("role", "region");
    scroll.setAttribute("aria-label", "Comparison table");
    var table = el("table", null, "credcat-compare-table");
    table.appendChild(el("caption", "Comparing " + ids.length + " credential" + (ids.length === 1 ? "" : "s")));
    var head = el("tr");
    head.appendChild(el("th", "Credential")).setAttribute("scope", "col");
    ids.forEach(function (id, i) {
      var th = el("th");
      th.setAttribute("scope", "col");
      var doc = docs[i];
      if (doc) {
        var a = el("a", title(doc));
        a.href = new URL("credentials/" + id + "/", root).href;
        th.appendChild(a);
      } else {
        th.appendChild(el("span", "Not found: " + id));
      }
      var remove = el("button", "Remove");
      remove.type = "button";
      remove.className = "md-button credcat-compare-remove";
      remove.setAttribute("aria-label", "Remove " + (doc ? title(doc) : id) + " from the comparison");
      remove.addEventListener("click", function () {
        var left = ids.filter(function (x) { return x !== id; });
        api.save(left);
        history.replaceState(null, "", left.length ? "?ids=" + left.join(",") : location.pathname);
        render(box, api, root, left, docs.filter(function (_, j) { return ids[j] !== id; }));
      });
      th.appendChild(el("br"));
      th.appendChild(remove);
      head.appendChild(th);
    });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el("tbody");
    ROWS.forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("th", row[0])).setAttribute("scope", "row");
      docs.forEach(function (doc) {
        var td = el("td");
        if (doc) { var v = row[1](doc); td.appendChild(v instanceof Node ? v : document.createTextNode(v)); }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    scroll.appendChild(table);
    result.appendChild(scroll);
    box.appendChild(result);
  }

  function init() {
    var box = document.getElementById("credcat-compare"), api = window.credcatCompare;
    if (!box || !api) return;
    var root = new URL(box.getAttribute("data-credcat-root") || "./", location.href);
    var asked = new URLSearchParams(location.search).get("ids");
    var ids = asked !== null ? api.save(asked.split(",")) : api.load();
    if (ids.length) history.replaceState(null, "", "?ids=" + ids.join(","));
    Promise.all(ids.map(function (id) {
      return fetch(new URL("api/v1/credentials/" + id + ".json", root).href)
        .then(function (r) { return r.ok ? r.json() : null; })
        .catch(function () { return null; });
    })).then(function (docs) { render(box, api, root, ids, docs); });
  }

  /* After DOMContentLoaded: credcat.js (deferred, later in the page) must have set up the selection first. */
  if (document.readyState === "complete") init(); else document.addEventListener("DOMContentLoaded", init);
})();
