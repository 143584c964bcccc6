"""The search page's content and assets, for the site's page shell (site/search/index.html).

The shell renders `<div id="credcat-search">` + search_page_body() + </div>, links the
search_styles() stylesheets and loads search_scripts() in order at the end of the body. Paths are
site-relative. Nothing here is inline script or style, so the page works under a strict CSP
(script-src 'self'; style-src 'self'). Until search.js runs, the interactive part stays hidden and
any element of the shell with class "credcat-nojs" (its no-JS form) stays visible; search.js hides it.
"""
from __future__ import annotations

BODY = """\
<div class="credcat-search-ui" hidden>
  <form class="credcat-search-form" role="search" action="" method="get">
    <label for="credcat-q" class="credcat-label">Search credentials</label>
    <input id="credcat-q" name="q" type="search" autocomplete="off" spellcheck="false"
           placeholder="A skill, topic or provider" aria-describedby="credcat-status" aria-controls="credcat-results">
    <label for="credcat-sort" class="credcat-label credcat-sort-label">Sort by</label>
    <select id="credcat-sort" name="sort"></select>
  </form>
  <p id="credcat-status" class="credcat-status" role="status" aria-live="polite" aria-atomic="true"></p>
  <div class="credcat-active" hidden></div>
  <div class="credcat-layout">
    <aside class="credcat-facets" aria-label="Filters"></aside>
    <section class="credcat-main" aria-label="Results">
      <div class="credcat-empty" hidden></div>
      <ol id="credcat-results" class="credcat-results"></ol>
      <button type="button" class="credcat-more" hidden>Show more results</button>
      <a class="credcat-compare-link" href="../compare/" hidden>Compare selected</a>
    </section>
  </div>
</div>
"""


def search_page_body() -> str:
    """The HTML that goes inside <div id="credcat-search"> on site/search/index.html."""
    return BODY


def search_scripts() -> list[str]:
    """Site-relative scripts the search page loads, in this order (lunr-languages files load on demand)."""
    return ["search/lunr.js", "search/search-ui.js", "search/search.js"]


def search_styles() -> list[str]:
    """Site-relative stylesheets for the search page."""
    return ["search/search.css"]
