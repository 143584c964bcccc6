"""The search page in headless Chromium: typing, facets, the URL, results, compare, keyboard, CSP.

Runs against a folder these tests assemble (the index plus a bare page under a strict CSP, see
test_search_support.py), and checks that the browser ranks exactly as query.py does.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.search import text
from generator.search.query import Searcher

from test_search_support import assemble_site, bundled_catalog

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return assemble_site(bundled_catalog(), tmp_path_factory.mktemp("site"))


@pytest.fixture
def base(site: Path, serve_dir) -> str:
    return serve_dir(site)


@pytest.fixture
def py(site: Path) -> Searcher:
    return Searcher(site / "search")


@pytest.fixture
def errors(page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type in ("error", "warning") and "favicon" not in m.text
            and "404" not in m.text else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


def settled(page) -> None:
    page.wait_for_function("() => { const r = document.getElementById('credcat-search');"
                           " return r.dataset.seq && r.getAttribute('aria-busy') === 'false'; }")


def result_ids(page) -> list[str]:
    return page.eval_on_selector_all(".credcat-result-title a", "els => els.map(e => e.dataset.id)")


def facet_counts(page, key: str) -> dict[str, int]:
    pairs = page.eval_on_selector_all(
        f"input[name='{key}']",
        "els => els.map(e => [e.value, e.parentElement.querySelector('.credcat-count').textContent])")
    return {v: int(c.replace(",", "").lstrip("~")) for v, c in pairs}


def open_search(page, base: str, query: str = "") -> None:
    page.goto(base + "search/" + query)
    settled(page)


def test_type_a_query_then_filter_by_two_facets(page, base: str, py: Searcher, errors: list[str]) -> None:
    open_search(page, base)
    page.locator("#credcat-q").press_sequentially("cloud", delay=30)
    settled(page)
    want = py.search("cloud")
    assert result_ids(page) == want.ids
    assert page.inner_text(".credcat-status") == f"{want.total} credentials for “cloud”."
    assert page.get_attribute(".credcat-status", "aria-live") == "polite"
    page.check("input[name='type'][value='certification']")
    settled(page)
    page.check("input[name='provider'][value='aws']")
    settled(page)
    filters = {"type": ["certification"], "provider": ["aws"]}
    want = py.search("cloud", filters)
    assert want.total >= 1 and result_ids(page) == want.ids
    assert all(i.startswith("aws/") for i in result_ids(page))
    assert facet_counts(page, "type") == want.facets["type"]
    assert facet_counts(page, "provider") == want.facets["provider"]
    assert re.search(r"\?q=cloud&type=certification&provider=aws$", page.url)
    assert not errors


def test_reload_from_the_url_gives_the_same_page(page, base: str, browser) -> None:
    open_search(page, base, "?q=data&type=certificate&cost=under-50&sort=seal")
    first = (result_ids(page), page.inner_text(".credcat-status"), page.input_value("#credcat-q"))
    assert first[0] and page.input_value("#credcat-sort") == "seal"
    assert page.is_checked("input[name='type'][value='certificate']")
    other = browser.new_context().new_page()
    other.goto(page.url)
    settled(other)
    assert (result_ids(other), other.inner_text(".credcat-status"), other.input_value("#credcat-q")) == first
    other.context.close()


def test_open_a_result(page, base: str) -> None:
    open_search(page, base, "?q=lifeguarding")
    page.click(".credcat-result-title a")
    page.wait_for_url(re.compile(r"/credentials/american-red-cross/lifeguarding/$"))
    assert page.inner_text("h1") == "Lifeguarding"


def test_add_two_results_to_compare(page, base: str) -> None:
    open_search(page, base, "?q=kubernetes")
    ids = result_ids(page)[:2]
    boxes = page.locator(".credcat-compare input")
    boxes.nth(0).check()
    boxes.nth(1).check()
    stored = json.loads(page.evaluate("() => localStorage.getItem('credcat-compare')"))
    assert stored == ids
    link = page.locator(".credcat-compare-link")
    assert link.inner_text() == "Compare selected (2)"
    link.click()
    page.wait_for_url(re.compile(r"/compare/\?ids="))
    assert page.url.endswith("/compare/?ids=" + ",".join(ids))


def test_keyboard_arrows_enter_and_escape(page, base: str) -> None:
    open_search(page, base)
    page.focus("#credcat-q")
    page.keyboard.type("python")
    settled(page)
    ids = result_ids(page)
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.dataset.id") == ids[0]
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.dataset.id") == ids[1]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("() => document.activeElement.id") == "credcat-q"
    page.keyboard.press("Escape")
    settled(page)
    assert page.input_value("#credcat-q") == "" and "q=" not in page.url
    page.keyboard.type("swift")
    settled(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/credentials/apple/"))


def test_results_appear_as_you_type_with_prefix_matching(page, base: str) -> None:
    open_search(page, base)
    page.locator("#credcat-q").press_sequentially("kuber", delay=20)
    settled(page)
    assert result_ids(page)[0].startswith("linux-foundation/")
    marks = page.eval_on_selector_all(".credcat-result-title mark", "els => els.map(e => e.textContent)")
    assert "Kubernetes" in marks


def test_empty_state_suggests_words_and_dropping_filters(page, base: str) -> None:
    open_search(page, base, "?q=pyhton")
    assert page.inner_text(".credcat-status") == "No credentials match “pyhton”."
    page.click(".credcat-suggestion:text('python')")
    settled(page)
    assert page.input_value("#credcat-q") == "python" and result_ids(page)
    open_search(page, base, "?q=welding&type=badge")
    assert page.is_visible(".credcat-drop-filter")
    page.click(".credcat-drop-filter")
    settled(page)
    assert result_ids(page) and "type=" not in page.url


def test_power_skills_are_their_own_group(page, base: str) -> None:
    open_search(page, base, "?q=teams")
    assert page.is_visible("fieldset[data-facet='skill-power'] legend:text('Power skills')")
    page.check("fieldset[data-facet='skill-power'] input[value='work-in-teams']")
    settled(page)
    assert "skill=work-in-teams" in page.url


QUERIES = [("python", {}, "relevance"), ("data analysis", {}, "relevance"), ("cloud", {"type": ["certification"]}, "cost"),
           ("", {"cost": ["free"]}, "relevance"), ("machine learning", {}, "workload"), ("künstliche intelligenz", {}, "relevance"),
           ("lifeguarding kubernetes", {}, "relevance"), ("team", {}, "seal"), ("secur", {}, "verified"),
           ("", {"seal": ["strong", "partial"], "participation": ["online"]}, "relevance")]


FACETS_JS = """([q, f, s]) => credcatSearch.ready.then(S => credcatSearch.query(q, f, s).then(r => {
  const facets = {};
  S.index.meta.facets.forEach(m => {
    facets[m.key] = {};
    Array.from(r.facets[m.key].entries()).sort((a, b) => a[0] - b[0]).forEach(([n, c]) => { facets[m.key][m.values[n]] = c; });
  });
  return {ids: r.summaries.map(x => x.id), total: r.total, mode: r.mode, approximate: r.approximate, facets};
}))"""


def test_browser_and_python_rank_alike(page, base: str, py: Searcher) -> None:
    open_search(page, base)
    for q, filters, sort in QUERIES:
        got = page.evaluate(FACETS_JS, [q, filters, sort])
        want = py.search(q, filters, sort)
        assert got == {"ids": want.ids, "total": want.total, "mode": want.mode, "approximate": want.approximate,
                       "facets": want.facets}, (q, filters, sort)


def test_page_pipeline_tokenizes_like_python(page, base: str, py: Searcher) -> None:
    open_search(page, base)
    words = ["Analysis", "learners", "day", "try", "Künstliche", "Größe", "l'apprentissage", "(python),", "über", "the"]
    got = page.evaluate("(ws) => credcatSearch.ready.then(s => ws.map(w => s.text.terms(w.toLowerCase())))", words)
    want = [sorted({t for p in py.pipes.values() if (t := p.term(w.lower()))}) for w in words]
    assert got == want


def test_no_inline_script_or_record_html(site: Path) -> None:
    for name in ("search.js", "search-ui.js"):
        source = (site / "search" / name).read_text()
        assert "innerHTML" not in source and "insertAdjacentHTML" not in source and ".style." not in source
    assert text.LUNR_JS.read_text().startswith("/**\n * lunr")


def test_hostile_record_text_stays_text(tmp_path: Path, catalog_dir, serve_dir, page, errors: list[str]) -> None:
    from generator.catalog import read_catalog

    root = catalog_dir({"acme/credentials/x.yml": """\
        title: "<img src=x onerror=alert(1)> Python <b>bold</b>"
        type: certificate
        description: "<script>alert(2)</script> Learn python."
        url: https://acme.example/x
        languages: [en]
        skills: [python]
        last_verified: 2026-01-10
        """})
    site = assemble_site(read_catalog(root, "2026-06-01"), tmp_path / "site")
    page.goto(serve_dir(site) + "search/?q=python")
    settled(page)
    assert page.inner_text(".credcat-result-title") == "<img src=x onerror=alert(1)> Python <b>bold</b>"
    assert page.locator(".credcat-result img, .credcat-result b, .credcat-result script").count() == 0
    assert not errors


SYNTH_QUERIES = [("skills", {}, "relevance"), ("data", {"type": ["course"]}, "relevance"), ("management practice", {}, "relevance"),
                 ("learners", {"cost": ["free"]}, "relevance"), ("", {"seal": ["strong"]}, "relevance"), ("project", {}, "cost"),
                 ("project management", {}, "relevance"), ("data analysis", {"language": ["de"]}, "seal"),
                 ("leadership skills", {}, "relevance"), ("manag", {}, "relevance"), ("pharmacy nursing", {}, "relevance"),
                 ("", {}, "verified"), ("course", {"participation": ["online"], "cost": ["free", "under-50"]}, "workload")]


@pytest.mark.parametrize("tiers", [3, 1], ids=["all tiers", "one tier kept"])
def test_browser_and_python_agree_on_a_tiered_index(tiers: int, tmp_path: Path, serve_dir, page,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Big enough that common words span tiers; with one tier kept, answers go approximate and relaxed."""
    import sys

    from generator.catalog import read_catalog
    from generator.search import index as search_index

    from test_search_support import REPO

    sys.path.insert(0, str(REPO / "bench"))
    from synth import generate

    generate(1200, tmp_path / "catalog", 3)
    monkeypatch.setattr(search_index, "TIERS", tiers)
    site = tmp_path / "site"
    (site / "search").mkdir(parents=True)
    assemble = __import__("test_search_support").assemble_site
    assemble(read_catalog(tmp_path / "catalog", "2026-06-01"), site)
    py = Searcher(site / "search")
    page.goto(serve_dir(site) + "search/")
    settled(page)
    approximate = 0
    for q, filters, sort in SYNTH_QUERIES:
        got = page.evaluate(FACETS_JS, [q, filters, sort])
        want = py.search(q, filters, sort)
        approximate += want.approximate
        assert got == {"ids": want.ids, "total": want.total, "mode": want.mode, "approximate": want.approximate,
                       "facets": want.facets}, (q, filters, sort)
    if tiers == 1:
        assert approximate >= 3
