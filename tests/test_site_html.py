"""The built HTML, read through parsers: every field on the credential page, SEO tags, JSON-LD, safety."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pyld import jsonld

from conftest import PROVIDER, TAXONOMY
from generator.catalog import read_catalog
from site_support import ADVANCED, AS_OF, FULL_RECORD, PROGRAM, REPO, build, html_files, write_files

SITE_URL = "https://credcat.example/"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_bytes(), "lxml")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """A three-credential catalog using every field, built."""
    root = tmp_path_factory.mktemp("small")
    write_files(root / "catalog", {
        "taxonomy/skills.yml": TAXONOMY, "acme/provider.yml": PROVIDER,
        "acme/credentials/data-analysis.yml": FULL_RECORD, "acme/credentials/data-program.yml": PROGRAM,
        "acme/credentials/advanced-analytics.yml": ADVANCED})
    result = build(root / "site", catalog=root / "catalog")
    assert result.exit_code == 0, result.output
    return root / "site"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundled") / "site"
    result = build(out)
    assert result.exit_code == 0, result.output
    return out


def facts(page: BeautifulSoup) -> dict[str, str]:
    return {div.dt.get_text(strip=True): div.dd.get_text(" ", strip=True) for div in page.select(".credcat-facts > div")}


# --- the credential page ------------------------------------------------------------------------

def test_credential_page_shows_every_field(small):
    page = soup(small / "credentials/acme/data-analysis/index.html")
    main = page.select_one("#credcat-main")
    assert page.title.get_text() == "Data Analysis with Python - credcat"
    assert main.h1.get_text() == "Data Analysis with Python" and main.h1["lang"] == "en"
    assert main.select_one(".credcat-lede").get_text(" ", strip=True).startswith("Micro-credential by Acme Institute")
    assert main.select_one(".credcat-lede a")["href"] == "../../../providers/acme/"
    assert main.select_one(".credcat-summary").get_text().startswith("Learn to clean and analyse data with Python")
    description = main.select_one(".credcat-description")
    assert description.strong.get_text() == "Python"
    assert description.a["href"] == "https://pandas.pydata.org" and "nofollow" in description.a["rel"]
    assert len(description.find_all("p")) == 2
    assert [li.get_text() for li in page.select("#outcomes + ul li")] == ["Clean a messy data set.",
                                                                          "Explain a finding to a non-specialist."]
    assert facts(page) == {
        "Type": "Micro-credential", "Provider": "Acme Institute (United States)",
        "Workload": "40 hours · 2 ECTS credits", "Duration": "2 to 3 months",
        "Level": "EQF level 5 · Intermediate", "Participation": "Blended (online and on site)",
        "Assessment": "Exam and project, proctored, identity verified", "Cost": "USD 49 per month",
        "Languages": "English, Portuguese (Brazil)", "Status": "Active", "Last verified": "1 October 2026"}
    level_links = [a["href"] for a in page.select(".credcat-facts a")]
    assert "../../../browse/level/eqf-5/" in level_links and "../../../browse/level/intermediate/" in level_links
    assert [li.get_text(strip=True) for li in page.select("#prerequisites + ul li")] == ["Basic spreadsheet skills"]
    qa = page.select_one("#quality-assurance + ul li")
    assert qa.get_text() == "External: Example Accreditation Agency" and qa.a["href"] == "https://accredit.example"


def test_skills_are_linked_and_power_skills_marked(small):
    page = soup(small / "credentials/acme/data-analysis/index.html")
    technical = {a.get_text(): a["href"] for a in page.select(".credcat-skills:not(.credcat-skills--power):not(.credcat-skills--other) a")}
    assert technical == {"Python": "../../../skills/python/", "SQL": "../../../skills/sql/"}
    [power] = page.select(".credcat-skills--power li")
    assert power.a["href"] == "../../../skills/teamwork/" and power.a.get_text() == "Teamwork"
    assert power.select_one(".credcat-tag--power").get_text() == "Power skill"
    [other] = page.select(".credcat-skills--other li")
    assert other.get_text() == "underwater basket weaving" and other.a is None


def test_seal_uses_the_seal_modules_words(small):
    catalog = read_catalog(small.parent / "catalog", AS_OF)
    cred = catalog.by_id["acme/data-program"]
    page = soup(small / "credentials/acme/data-program/index.html")
    seal = page.select_one(".credcat-seal")
    assert f"{cred.seal.score} of {cred.seal.out_of}" in seal.select_one(".credcat-seal__score").get_text()
    assert [li.get_text() for li in seal.select(".credcat-seal__missing li")] == list(cred.seal.missing)
    assert seal.h2.get_text().endswith({"thin": "Thin", "partial": "Partial", "strong": "Strong", "complete": "Complete"}[cred.seal.band])
    full = soup(small / "credentials/acme/data-analysis/index.html").select_one(".credcat-seal")
    assert "Nothing is missing." in full.get_text() and "credcat-seal--complete" in full["class"]


def test_actions_provider_button_json_and_compare(small):
    page = soup(small / "credentials/acme/data-analysis/index.html")
    actions = page.select_one(".credcat-actions")
    button = actions.select_one("a.md-button--primary")
    assert button["href"] == "https://acme.example/data-analysis" and "See it at Acme Institute" in button.get_text()
    json_link = actions.select_one('a[type="application/json"]')["href"]
    assert json_link == "../../../api/v1/credentials/acme/data-analysis.json"
    assert (small / "api/v1/credentials/acme/data-analysis.json").is_file()
    compare = actions.select_one("button[data-credcat-compare]")
    assert compare["data-credcat-compare"] == "acme/data-analysis" and compare.has_attr("hidden")


def test_stackability_links_both_ways_and_related(small):
    page = soup(small / "credentials/acme/data-analysis/index.html")
    stack = {div.dt.get_text(): [a["href"] for a in div.select("a")] for div in page.select(".credcat-stack > div")}
    assert stack == {"Part of": ["../../../credentials/acme/data-program/"],
                     "Leads to": ["../../../credentials/acme/advanced-analytics/"]}
    program = soup(small / "credentials/acme/data-program/index.html")
    assert [a["href"] for a in program.select(".credcat-stack a")] == ["../../../credentials/acme/data-analysis/"]
    assert program.select_one(".credcat-stack dt").get_text() == "Made up of"
    advanced = soup(small / "credentials/acme/advanced-analytics/index.html")
    assert advanced.select_one(".credcat-stack dt").get_text() == "Follows on from"
    related = [a["href"] for a in page.select("#related + .credcat-list .credcat-card__title a")]
    assert related == ["../../../credentials/acme/data-program/"]  # retired ones are not suggested


def test_retired_credential_stays_clearly_marked(small):
    page = soup(small / "credentials/acme/advanced-analytics/index.html")
    assert page.select_one(".credcat-retired .admonition-title").get_text() == "Retired"
    assert facts(page)["Status"] == "Retired" and facts(page)["Cost"] == "Free"
    assert page.select_one(".credcat-lede .credcat-tag--retired")
    listing = soup(small / "providers/acme/index.html")
    assert listing.select(".credcat-card--retired .credcat-card__title a")[0].get_text() == "Advanced Analytics"


def test_provider_page_lists_credentials_and_average_seal(small):
    catalog = read_catalog(small.parent / "catalog", AS_OF)
    creds = catalog.by_provider["acme"]
    average = round(sum(c.seal.score for c in creds) / len(creds), 1)
    page = soup(small / "providers/acme/index.html")
    assert page.h1.get_text() == "Acme Institute"
    assert f"{average:.1f} of 10" in page.select_one(".credcat-seal").get_text()
    assert len(page.select(".credcat-card")) == 3
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["@type"] == "Organization" and data["name"] == "Acme Institute" and data["url"] == "https://acme.example"


def test_home_page_has_counts_entry_points_and_search(bundled):
    catalog = read_catalog(REPO / "catalog", AS_OF)
    page = soup(bundled / "index.html")
    counts = [int(s.get_text()) for s in page.select(".credcat-counts strong")]
    assert counts[:2] == [len(catalog.credentials), len(catalog.providers)]
    form = page.select_one("#credcat-main form.credcat-search-box, .credcat-home form.credcat-search-box")
    assert form["action"] == "search/" and form["method"] == "get" and form.select_one('input[name="q"]')
    hrefs = {a["href"] for a in page.select(".credcat-browse a")}
    assert {"browse/type/certificate/", "providers/", "skills/", "stats/", "compare/"} <= hrefs


def test_skills_index_keeps_technical_and_power_apart(bundled):
    catalog = read_catalog(REPO / "catalog", AS_OF)
    page = soup(bundled / "skills/index.html")
    for kind in ("technical", "power"):
        ids = [a["href"].split("/")[-2] for a in page.select(f"#{kind} + ul a")]
        assert ids and all(catalog.taxonomy.skills[i].kind == kind for i in ids)


def test_search_page_shell_and_header_search_form(bundled):
    page = soup(bundled / "search/index.html")
    box = page.select_one("div#credcat-search")
    assert box is not None and box.select_one('form input[name="q"]')
    for path in ("index.html", "credentials/ibm/data-science-professional-certificate/index.html", "stats/index.html"):
        header = soup(bundled / path).select_one("header form[role=search]")
        assert header["method"] == "get" and header["action"].endswith("search/")
        assert header.select_one('input[name="q"]')["id"] == "credcat-header-q"
    assert not (bundled / "search/search_index.json").exists()  # MkDocs' own search is off


def test_stats_page_has_accessible_charts_with_tables(bundled):
    catalog = read_catalog(REPO / "catalog", AS_OF)
    page = soup(bundled / "stats/index.html")
    sections = page.select(".credcat-chart-section")
    assert len(sections) == 6
    for section in sections:
        svg = section.select_one("svg")
        assert svg["role"] == "img" and svg.find("title")["id"] == svg["aria-labelledby"]
        table = section.select_one("table")
        assert table.caption.get_text() and len(table.select("tbody tr")) == len(svg.select("rect"))
    by_type = sections[0].select("tbody td")
    assert sum(int(td.get_text()) for td in by_type) == len(catalog.credentials)


# --- every page: SEO and size ---------------------------------------------------------------------

def test_every_page_has_title_description_canonical_and_open_graph(bundled):
    problems = []
    for path in html_files(bundled):
        rel = path.relative_to(bundled).as_posix()
        if rel == "404.html":
            continue
        page = soup(path)
        url = SITE_URL + rel.removesuffix("index.html")
        canonical = page.select_one('link[rel="canonical"]')
        checks = {
            "title": page.title and page.title.get_text().strip(),
            "description": (page.select_one('meta[name="description"]') or {}).get("content"),
            "canonical": canonical and canonical["href"] == url,
            "og:title": page.select_one('meta[property="og:title"]'),
            "og:description": page.select_one('meta[property="og:description"]'),
            "og:url": (page.select_one('meta[property="og:url"]') or {}).get("content") == url,
            "og:type": page.select_one('meta[property="og:type"]'),
        }
        problems += [f"{rel}: {name}" for name, ok in checks.items() if not ok]
    assert problems == []


def test_titles_differ_per_page(bundled):
    titles = [soup(p).title.get_text() for p in (bundled / "credentials").rglob("index.html")]
    assert len(set(titles)) == len(titles)


def test_credential_pages_are_under_30_kb(bundled):
    sizes = {p.relative_to(bundled).as_posix(): p.stat().st_size for p in (bundled / "credentials").rglob("index.html")}
    assert sizes and max(sizes.values()) < 30 * 1024, max(sizes.items(), key=lambda kv: kv[1])


# --- JSON-LD ---------------------------------------------------------------------------------------

def _offline_loader(url, options=None):
    """schema.org's context, offline: every term in the schema.org vocabulary."""
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {"contextUrl": None, "documentUrl": url, "document": {"@context": {"@vocab": "https://schema.org/"}}}
    raise jsonld.JsonLdError("offline", "loading document failed", code="loading document failed")


def _ld(page: BeautifulSoup) -> dict:
    return json.loads(page.select_one('script[type="application/ld+json"]').string)


def test_jsonld_of_every_credential_page_parses_and_describes_the_course(bundled):
    catalog = read_catalog(REPO / "catalog", AS_OF)
    for cred in catalog.credentials:
        page = soup(bundled / "credentials" / cred.id / "index.html")
        data = _ld(page)
        graph = {node["@type"]: node for node in data["@graph"]}
        course, credential = graph["Course"], graph["EducationalOccupationalCredential"]
        url = SITE_URL + f"credentials/{cred.id}/"
        assert course["name"] == cred.name == page.h1.get_text()
        assert course["url"] == credential["url"] == url
        assert course["provider"]["@type"] == "Organization" and course["provider"]["name"] == cred.provider.name
        assert credential["provider"] == {"@id": course["provider"]["@id"]}
        assert course["educationalCredentialAwarded"] == {"@id": credential["@id"]}
        if cred.cost:
            offers = course["offers"]
            assert offers == credential["offers"] and len(offers) == len(cred.cost)
            for offer, cost in zip(offers, cred.cost):
                assert offer["@type"] == "Offer" and offer["price"] == cost.amount
                assert offer["category"] == ("Free" if cost.free else "Paid")
                assert offer.get("priceCurrency") == cost.currency
        expanded = jsonld.expand(data, {"documentLoader": _offline_loader})
        types = {t for node in expanded for t in node.get("@type", [])}
        assert {"https://schema.org/Course", "https://schema.org/EducationalOccupationalCredential"} <= types


def test_jsonld_of_provider_pages_is_an_organization(bundled):
    catalog = read_catalog(REPO / "catalog", AS_OF)
    for provider in catalog.providers.values():
        data = _ld(soup(bundled / "providers" / provider.id / "index.html"))
        assert data["@type"] == "Organization" and data["name"] == provider.name
        assert data["address"]["addressCountry"] == provider.country
        expanded = jsonld.expand(data, {"documentLoader": _offline_loader})
        assert expanded[0]["@type"] == ["https://schema.org/Organization"]


# --- safety ------------------------------------------------------------------------------------------

HOSTILE_TITLE = "</script><script>alert(1)</script>"
HOSTILE = f"""\
title: "{HOSTILE_TITLE}"
type: course
description: |
  Raw <img src=x onerror=alert(2)> and <script>alert(3)</script> and <a href="javascript:alert(4)">a link</a>.
  A [markdown link](javascript:alert(5)) and [another](JaVaScRiPt:alert(6)) and ![img](javascript:alert(7)).
url: https://evil.example/x
languages: [en]
skills: ["<b onmouseover=alert(8)>bold</b>"]
learning_outcomes: ["<iframe src=javascript:alert(9)>"]
prerequisites: ["\\" onfocus=\\"alert(10)"]
quality_assurance: [{{type: external, body: "<svg onload=alert(11)>"}}]
tags: ["</script>"]
last_verified: 2026-10-01
"""
HOSTILE_PROVIDER = """\
name: "\\"><svg onload=alert(12)>Evil & Co"
url: https://evil.example
country: US
description: "<script>alert(13)</script> [x](javascript:alert(14))"
"""
SAFE_SCRIPT_TYPES = {"application/ld+json", "application/json"}


def test_hostile_record_produces_no_executable_markup_anywhere(tmp_path):
    write_files(tmp_path / "catalog", {"taxonomy/skills.yml": TAXONOMY, "evil/provider.yml": HOSTILE_PROVIDER,
                                       "evil/credentials/x.yml": HOSTILE})
    result = build(tmp_path / "site", catalog=tmp_path / "catalog")
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    problems = []
    for path in html_files(site):
        rel = path.relative_to(site).as_posix()
        for element in soup(path).find_all(True):
            for attr, value in element.attrs.items():
                if attr.lower().startswith("on"):
                    problems.append(f"{rel}: <{element.name} {attr}>")
                text = " ".join(value) if isinstance(value, list) else str(value)
                if attr in ("href", "src", "action", "formaction", "data") and \
                        re.match(r"\s*(javascript|vbscript|data):", text, re.IGNORECASE):
                    problems.append(f"{rel}: <{element.name} {attr}={text!r}>")
            if element.name == "script":
                src = element.get("src")
                if src is None and element.get("type") not in SAFE_SCRIPT_TYPES:
                    problems.append(f"{rel}: inline script {element.get_text()[:40]!r}")
                if src is not None and re.match(r"[a-z]+:|//", src):
                    problems.append(f"{rel}: external script {src}")
            if element.name in ("iframe", "object", "embed", "frame", "base", "meta") and \
                    (element.name != "meta" or element.get("http-equiv", "").lower() == "refresh"):
                problems.append(f"{rel}: <{element.name}>")
    assert problems == []
    page = soup(site / "credentials/evil/x/index.html")
    assert page.h1.get_text() == HOSTILE_TITLE
    assert "alert(3)" in page.select_one(".credcat-description").get_text()  # shown as text
    raw = page.select_one('script[type="application/ld+json"]').string
    assert "<" not in raw and ">" not in raw and "\\u003c/script\\u003e" in raw
    assert json.loads(raw)["@graph"][0]["name"] == HOSTILE_TITLE


def test_every_page_has_a_strict_csp_and_only_our_scripts(bundled):
    problems = []
    for path in html_files(bundled):
        rel = path.relative_to(bundled).as_posix()
        page = soup(path)
        csp = page.select_one('meta[http-equiv="Content-Security-Policy"]')
        if csp is None or "script-src 'self'" not in csp["content"] or "unsafe" in csp["content"]:
            problems.append(f"{rel}: CSP")
        elif page.head.find_all(True)[:3].count(csp) == 0:
            problems.append(f"{rel}: CSP must come first in <head>")
        for script in page.find_all("script"):
            src = script.get("src")
            if src is None and script.get("type") not in SAFE_SCRIPT_TYPES:
                problems.append(f"{rel}: inline script")
            elif src is not None and re.match(r"[a-z]+:|//", src):
                problems.append(f"{rel}: external script {src}")
        if page.find(attrs={"style": True}) is not None:
            problems.append(f"{rel}: style attribute (blocked by style-src 'self')")
    assert problems == []


def test_catalog_pages_are_not_in_the_nav(bundled):
    nav = soup(bundled / "credentials/ibm/data-science-professional-certificate/index.html").select(".md-nav--primary .md-nav__link")
    labels = [a.get_text(strip=True) for a in nav]
    assert labels == ["Home", "Quality seal", "For providers", "API", "Building the site", "Performance"]
