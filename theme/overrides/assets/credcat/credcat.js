/* credcat: the compare selection (up to four credentials) shared by every page.
   Progressive: the "Add to compare" buttons are hidden until this runs; pages work without it.
   The selection lives in localStorage and in the compare page's URL (compare/?ids=a/b,c/d). */
(function () {
  "use strict";
  var KEY = "credcat-compare", MAX = 4;  /* shared with the search page (theme/search/search.js COMPARE_KEY) */
  var ID = /^[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*$/;
  var script = document.currentScript;
  var root = new URL("../../", script ? script.src : location.href);  /* assets/credcat/ -> site root */
  var status = null, tray = null;

  function clean(ids) {
    var seen = [];
    (ids || []).forEach(function (id) { if (typeof id === "string" && ID.test(id) && seen.indexOf(id) < 0) seen.push(id); });
    return seen.slice(0, MAX);
  }
  function load() {
    try { var v = JSON.parse(localStorage.getItem(KEY) || "[]"); return clean(Array.isArray(v) ? v : []); } catch (e) { return []; }
  }
  function save(ids) {
    ids = clean(ids);
    try { localStorage.setItem(KEY, JSON.stringify(ids)); } catch (e) { /* private mode: selection lasts this page */ }
    update(ids);
    return ids;
  }
  function compareUrl(ids) { return new URL("compare/" + (ids.length ? "?ids=" + ids.join(",") : ""), root).href; }
  function announce(text) { if (status) { status.textContent = ""; setTimeout(function () { status.textContent = text; }, 50); } }

  function buildTray() {
    status = document.createElement("div");
    status.className = "credcat-visually-hidden";
    status.setAttribute("role", "status");
    document.body.appendChild(status);
    tray = document.createElement("div");
    tray.className = "credcat-tray";
    tray.setAttribute("role", "region");
    tray.setAttribute("aria-label", "Compare selection");
    tray.hidden = true;
    var link = document.createElement("a");
    link.className = "credcat-tray__link";
    var clear = document.createElement("button");
    clear.type = "button";
    clear.textContent = "Clear";
    clear.setAttribute("aria-label", "Clear the compare selection");
    clear.addEventListener("click", function () { save([]); announce("Compare selection cleared."); });
    tray.appendChild(link);
    tray.appendChild(clear);
    document.body.appendChild(tray);
  }

  function update(ids) {
    ids = ids || load();
    document.querySelectorAll("[data-credcat-compare]").forEach(function (button) {
      var on = ids.indexOf(button.getAttribute("data-credcat-compare")) >= 0;
      button.hidden = false;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.firstChild.nodeValue = on ? "Remove from compare" : "Add to compare";
    });
    if (tray) {
      tray.hidden = ids.length === 0 || /\/compare\/$/.test(location.pathname);
      var link = tray.querySelector("a");
      link.href = compareUrl(ids);
      link.textContent = "Compare (" + ids.length + " of " + MAX + ")";
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-credcat-compare]");
    if (!button) return;
    var id = button.getAttribute("data-credcat-compare"), ids = load(), at = ids.indexOf(id);
    if (at >= 0) {
      ids.splice(at, 1);
      save(ids);
      announce("Removed from compare. " + ids.length + " of " + MAX + " selected.");
    } else if (ids.length >= MAX) {
      announce("You can compare up to " + MAX + " credentials. Remove one first.");
    } else {
      ids.push(id);
      save(ids);
      announce("Added to compare. " + ids.length + " of " + MAX + " selected.");
    }
  });
  window.addEventListener("storage", function (event) { if (event.key === KEY) update(); });

  buildTray();
  update();
  window.credcatCompare = { load: load, save: save, url: compareUrl, max: MAX, idPattern: ID, root: root };
})();
