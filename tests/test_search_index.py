"""The search index: format, determinism, exact counts, tiers, bounded file sizes (issue 4)."""
from __future__ import annotations

import gzip
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from generator.catalog import read_catalog
from generator.config import Config
from generator.search import build as search_build
from generator.search import index as search_index
from generator.search import write_search_index
from generator.search.facets import facet_values
from generator.search import text
from generator.search.query import Searcher

from test_search_support import REPO, bundled_catalog

SYNTH_N = 1500


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def load(path: Path) -> object:
    return json.loads(gzip.decompress(path.read_bytes()))


@pytest.fixture(scope="module")
def synth_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """A synthetic catalog big enough that common words span several tiers."""
    sys.path.insert(0, str(REPO / "bench"))
    from synth import generate

    root = tmp_path_factory.mktemp("synth")
    generate(SYNTH_N, root / "catalog", 7)
    catalog = read_catalog(root / "catalog", "2026-06-01")
    write_search_index(catalog, Config(), root / "site")
    return root / "site", catalog


def test_same_catalog_gives_byte_identical_output(tmp_path: Path) -> None:
    catalog = bundled_catalog()
    write_search_index(catalog, Config(), tmp_path / "a")
    write_search_index(bundled_catalog(), Config(), tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_output_does_not_depend_on_the_number_of_processes(synth_site: tuple[Path, object], tmp_path: Path) -> None:
    site, catalog = synth_site
    search_build.build_index(catalog, Config(), tmp_path / "one", jobs=1)
    search_build.build_index(catalog, Config(), tmp_path / "two", jobs=2)
    assert tree(tmp_path / "one" / "index") == tree(tmp_path / "two" / "index")
    assert tree(tmp_path / "one" / "index") == tree(site / "search" / "index")


def test_search_folder_holds_index_and_assets(tmp_path: Path) -> None:
    write_search_index(bundled_catalog(), Config(), tmp_path)
    search = tmp_path / "search"
    for name in ("search.js", "search-ui.js", "search.css", "lunr.js"):
        assert (search / name).is_file(), name
    assert "@license MIT" in (search / "lunr.js").read_text()
    meta = load(search / "index" / "meta.json.gz")
    # German is stemmed alike on both sides when lunr.py's language support (nltk) is installed;
    # without it, on neither side. Its stop words come from lunr.de.js either way.
    assert meta["langs"]["de"]["stem"] is text.nltk_available()
    for name in ("lunr.stemmer.support.js", "lunr.de.js"):
        assert (search / name).is_file(), name
    assert meta["n"] == len(bundled_catalog().credentials)
    assert (search / "index" / "t" / "0.json.gz").is_file()
    assert meta["langs"]["de"]["js"] == "de"


def test_an_existing_search_page_is_left_alone(tmp_path: Path) -> None:
    page = tmp_path / "search" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("shell")
    write_search_index(bundled_catalog(), Config(), tmp_path)
    assert page.read_text() == "shell"


def test_no_file_grows_with_the_catalog(synth_site: tuple[Path, object]) -> None:
    site, _ = synth_site
    index = site / "search" / "index"
    sizes = {p.name: p.stat().st_size for p in index.rglob("*.gz")}
    shards = [s for s in (index / "t").glob("*.gz")]
    assert max(p.stat().st_size for p in shards) < 12_000
    summaries = [p.stat().st_size for p in (index / "s").glob("*.gz")]
    assert max(summaries) < 4_000
    assert (index / "meta.json.gz").stat().st_size < 20_000
    assert sizes  # and tier files: tier k holds at most TIER0 * 4**k postings (checked below)


def test_tiers_are_impact_ordered_and_sized(synth_site: tuple[Path, object]) -> None:
    site, _ = synth_site
    s = Searcher(site / "search")
    st = s.state(s.meta["all"])  # every document: several tiers at this size
    assert st is not None and st.tiers == len(search_index.tier_bounds(SYNTH_N)) > 1
    first = dict(st.postings)
    assert len(first) == search_index.TIER0
    s.fetch_tier(st)
    later = {d: v for d, v in st.postings.items() if d not in first}
    assert min(first.values()) >= max(later.values())


def test_precomputed_counts_are_exact(synth_site: tuple[Path, object]) -> None:
    site, catalog = synth_site
    s = Searcher(site / "search")
    result = s.search("", prefix=False)
    assert result.total == SYNTH_N and not result.approximate
    for key in ("type", "cost", "seal", "skill", "language"):
        expected = Counter(v for c in catalog.credentials for v in facet_values(c, key))
        assert result.facets[key] == dict(expected), key


def test_pruned_tiers_rank_like_the_full_index(synth_site: tuple[Path, object], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """With only 256 postings kept per term, certain answers equal the full index's; others are flagged."""
    site, catalog = synth_site
    monkeypatch.setattr(search_index, "TIERS", 1)
    write_search_index(catalog, Config(), tmp_path)
    pruned, full = Searcher(tmp_path / "search"), Searcher(site / "search")
    queries = [("project", {}), ("practice", {}), ("course", {}), ("", {"seal": ["strong"]}),
               ("data", {"type": ["course"]}), ("management practice", {}), ("learners", {"cost": ["free"]})]
    certain = 0
    for q, f in queries:
        got, want = pruned.search(q, f, prefix=False), full.search(q, f, prefix=False)
        if got.approximate:
            assert got.ids and abs(got.total - want.total) <= want.total, q
        else:
            certain += 1
            assert got.ids == want.ids and got.total == want.total, q
            if not got.facets_approximate and not want.facets_approximate:
                assert got.facets == want.facets, q
    assert certain >= 3


def test_filters_and_counts_match_a_brute_force_over_the_catalog(synth_site: tuple[Path, object]) -> None:
    site, catalog = synth_site
    s = Searcher(site / "search")
    result = s.search("", {"type": ["course", "badge"], "cost": ["free"]}, limit=10_000)
    want = [c for c in catalog.credentials if c.type in ("course", "badge") and "free" in facet_values(c, "cost")]
    assert result.total == len(want) and sorted(result.ids) == sorted(c.id for c in want)
    # disjunctive counts: a facet's own filter does not narrow its counts
    types = Counter(c.type for c in catalog.credentials if "free" in facet_values(c, "cost"))
    assert result.facets["type"] == dict(types)


def test_one_word_query_fetches_little(synth_site: tuple[Path, object]) -> None:
    site, _ = synth_site
    s = Searcher(site / "search")
    words = ("practice", "management", "course", "project", "online")
    word = next((w for w in words if len(s.word_terms(w, False)) == 1), "")  # "": browse, one pseudo-term
    result = s.search(word, prefix=False)
    assert result.total > search_index.TIER0 and not result.approximate
    assert result.bytes < 60_000, s.files.fetched


def test_a_facet_with_thousands_of_values_is_paged(synth_site: tuple[Path, object], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Providers grow with the catalog: their labels go to pages, a term keeps counts for its top ones."""
    _, catalog = synth_site
    monkeypatch.setattr(search_index, "MAX_INLINE_VALUES", 3)
    monkeypatch.setattr(search_index, "VALUE_PAGE", 4)
    monkeypatch.setattr(search_index, "PAGED_COUNTS", 5)
    monkeypatch.setattr("generator.search.query.PAGED_SHOWN", 3)
    write_search_index(catalog, Config(), tmp_path)
    s = Searcher(tmp_path / "search")
    provider = next(f for f in s.meta["facets"] if f["key"] == "provider")
    assert "values" not in provider and provider["count"] == len(catalog.providers) > 3
    everything = s.search("", prefix=False)
    assert len(everything.facets["provider"]) == 3
    want = Counter(c.provider.id for c in catalog.credentials)
    for pid, count in everything.facets["provider"].items():
        assert want[pid] == count
    rare = min(want, key=lambda p: (want[p], p))
    only = s.search("", {"provider": [rare]}, limit=10_000)
    assert sorted(only.ids) == sorted(c.id for c in catalog.credentials if c.provider.id == rare)
    assert only.total == want[rare]


def test_an_empty_catalog_gives_a_working_empty_index(tmp_path: Path) -> None:
    from generator.catalog import from_credentials

    empty = from_credentials([], bundled_catalog().taxonomy, "2026-06-01")
    write_search_index(empty, Config(), tmp_path)
    result = Searcher(tmp_path / "search").search("python")
    assert result.total == 0 and result.ids == []
