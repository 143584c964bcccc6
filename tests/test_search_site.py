"""Search in a real `credcat build` of the bundled catalog: the stage runs inside the build and its output answers.

The browser tests run on the built search page, whose shell holds search_page_body() and loads
search_styles() and search_scripts() (generator/search/page.py).
"""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from generator.search import search_scripts
from generator.search.query import Searcher

from test_search_support import AS_OF, REPO


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.build import build

    out = tmp_path_factory.mktemp("real") / "site"
    build(REPO / "site_config.yml", out=out, as_of=AS_OF)
    return out


def test_build_writes_the_search_index_and_assets(built: Path) -> None:
    meta = json.loads(gzip.decompress((built / "search" / "index" / "meta.json.gz").read_bytes()))
    assert meta["n"] >= 60
    for name in ("search.js", "search-ui.js", "search.css", "lunr.js"):
        assert (built / "search" / name).is_file()
    assert (built / "search" / "index.html").is_file(), "the site's search page shell"


def test_built_index_answers_and_links_to_built_pages(built: Path) -> None:
    result = Searcher(built / "search").search("kubernetes security", prefix=False)
    assert result.ids[0] == "linux-foundation/cks"
    for summary in result.summaries:
        assert (built / summary["url"] / "index.html").is_file(), summary["url"]


@pytest.mark.browser
def test_built_search_page_searches(built: Path, serve_dir, page) -> None:
    """The real search page: type, filter by two facets, reload from the URL, compare, open a result."""
    html = (built / "search" / "index.html").read_text()
    missing = [s for s in search_scripts() if not re.search(r'src="[^"]*' + re.escape(s) + '"', html)]
    assert not missing, f"the search page shell must load {missing} (generator.search.page.search_scripts())"
    assert html.count('id="credcat-q"') == 1, "the shell holds search_page_body() once"
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(serve_dir(built) + "search/")
    busy = "() => document.getElementById('credcat-search').getAttribute('aria-busy') === 'false'"
    page.wait_for_function(busy)
    assert page.is_hidden("form.credcat-search-box"), "the shell's no-JS form gives way"
    page.locator("#credcat-q").press_sequentially("cloud", delay=20)
    page.wait_for_function(busy)
    page.check("input[name='type'][value='certification']")
    page.wait_for_function(busy)
    page.check("input[name='provider'][value='google']")
    page.wait_for_function(busy)
    ids = page.eval_on_selector_all(".credcat-result-title a", "els => els.map(e => e.dataset.id)")
    assert ids and ids == Searcher(built / "search").search("cloud", {"type": ["certification"], "provider": ["google"]}).ids
    assert page.url.endswith("/search/?q=cloud&type=certification&provider=google")
    page.reload()
    page.wait_for_function(busy)
    assert page.eval_on_selector_all(".credcat-result-title a", "els => els.map(e => e.dataset.id)") == ids
    page.locator(".credcat-compare input").first.check()
    assert json.loads(page.evaluate("() => localStorage.getItem('credcat-compare')")) == ids[:1]
    page.click(".credcat-result-title a")
    page.wait_for_url(re.compile(r"/credentials/google/"))
    assert not errors


@pytest.mark.browser
def test_header_search_box_leads_into_search(built: Path, serve_dir, page) -> None:
    page.goto(serve_dir(built) + "credentials/ibm/data-science-professional-certificate/")
    box = page.locator("form[action$='search/'] input[name='q']").first
    box.fill("kubernetes")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=kubernetes"))
    page.wait_for_function("() => document.getElementById('credcat-search').getAttribute('aria-busy') === 'false'")
    ids = page.eval_on_selector_all(".credcat-result-title a", "els => els.map(e => e.dataset.id)")
    assert ids and all(i.startswith("linux-foundation/") for i in ids[:4])
