"""Relevance on the bundled catalog: what a learner types, and credentials that must rank in the top three.

Runs the Python twin of search.js (generator/search/query.py) on the index the build writes;
tests/test_search_browser.py checks the browser ranks the same way.
"""
from __future__ import annotations


import pytest

from generator.config import Config
from generator.search import write_search_index
from generator.search.query import Searcher

from test_search_support import bundled_catalog

# (query, credential id that must be in the top three, what the case covers)
TOP_THREE = [
    ("welders", "american-welding-society/certified-welder", "stemmed plural"),
    ("lifeguards", "american-red-cross/lifeguarding", "stemmed form of a title word"),
    ("networking", "cisco/networking-basics", "stemmed"),
    ("sanding", "nwfa/certified-sand-and-finisher", "stemmed -ing"),
    ("resilience", "open-university/developing-career-resilience", "power skill"),
    ("teamwork", "open-university/working-in-diverse-teams", "power skill by its taxonomy label"),
    ("critical thinking", "dcu/fintech-financial-innovation", "power skill, two words"),
    ("leadership", "open-university/leadership-and-followership", "power skill"),
    ("nwfa", "nwfa/certified-installer", "provider name"),
    ("delft", "tu-delft/ai-in-practice", "provider name word"),
    ("red cross", "american-red-cross/adult-first-aid-cpr-aed", "provider name, two words"),
    ("google", "google/cloud-associate-cloud-engineer", "provider name"),
    ("künstliche", "luh/kuenstliche-intelligenz-1", "German word"),
    ("maschinelles lernen", "luh/maschinelles-lernen", "German, two words, German stemmer"),
    ("python automation", "google/it-automation-with-python", "two words, AND"),
    ("first aid", "american-red-cross/adult-first-aid-cpr-aed", "two words"),
    ("kubernetes security", "linux-foundation/cks", "two words"),
    ("machine learning", "aws/machine-learning-engineer-associate", "two words"),
    ("cybersecurity analyst", "ibm/cybersecurity-analyst-professional-certificate", "two words"),
    ("swift", "apple/app-development-with-swift-associate", "title word"),
    ("fintech", "dcu/fintech-financial-innovation", "title word"),
    ("irish", "dcu/irish-101", "title word"),
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    out = tmp_path_factory.mktemp("site")
    write_search_index(bundled_catalog(), Config(), out)
    return Searcher(out / "search")


@pytest.mark.parametrize("query, expected, why", TOP_THREE, ids=[c[0] for c in TOP_THREE])
def test_expected_credential_in_top_three(searcher: Searcher, query: str, expected: str, why: str) -> None:
    result = searcher.search(query, prefix=False)
    assert expected in result.ids[:3], f"{why}: top three for {query!r} were {result.ids[:3]}"


def test_catalog_is_the_one_the_table_was_written_for() -> None:
    ids = {c.id for c in bundled_catalog().credentials}
    missing = sorted({c[1] for c in TOP_THREE} - ids)
    assert not missing, f"the relevance table names credentials the catalog no longer has: {missing}"


def test_prefix_matches_the_word_being_typed(searcher: Searcher) -> None:
    assert searcher.search("kuber", prefix=False).total == 0
    typed = searcher.search("kuber")
    assert typed.total >= 5 and all(i.startswith("linux-foundation/") for i in typed.ids[:5])
    assert searcher.search("kuber ").total == 0  # a space ends the word: no longer a prefix


def test_and_across_words_with_or_fallback(searcher: Searcher) -> None:
    both = searcher.search("python sql", prefix=False)
    assert both.mode == "and" and "ibm/data-analyst-professional-certificate" in both.ids
    either = searcher.search("lifeguarding kubernetes", prefix=False)
    assert either.mode == "or"
    assert "american-red-cross/lifeguarding" in either.ids and "linux-foundation/cka" in either.ids


def test_empty_state_suggests_close_words(searcher: Searcher) -> None:
    result = searcher.search("pyhton", prefix=False)
    assert result.total == 0 and result.mode == "none"
    assert "python" in result.suggestions["pyhton"]


def test_title_outranks_description(searcher: Searcher) -> None:
    ids = searcher.search("python", prefix=False).ids
    assert ids[0] == "google/it-automation-with-python"


def test_stop_words_are_ignored(searcher: Searcher) -> None:
    assert searcher.search("the python", prefix=False).ids == searcher.search("python", prefix=False).ids
