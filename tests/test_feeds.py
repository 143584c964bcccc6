"""The static API under api/v1/, checked with real clients: jsonschema, reader (JSON Feed), pyld, openapi-spec-validator."""
from __future__ import annotations

import gzip
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from generator.catalog import read_catalog
from generator.config import Config
from generator.feeds import credential_api_path, credential_document, credential_page_path, write_feeds
from generator.feeds.endpoints import ENDPOINTS, endpoint_for

AS_OF = "2026-11-01"

RICH = """\
title: {{en: Data Analysis with Python, de: Datenanalyse mit Python}}
type: micro-credential
description: |
  Learn to clean and analyse data with **Python**.

  Ends with a project.
url: https://acme.example/data-analysis
languages: [en, de]
skills: [python, sql, teamwork]
learning_outcomes: [Clean a data set with pandas, Explain a chart to colleagues]
workload: {{hours: 40, ects: 2}}
duration: 6 weeks
level: {{eqf: 5}}
participation: online
assessment: {{type: [exam, project], supervision: proctored, id_verified: true}}
quality_assurance: [{{type: external, body: Example Accreditation Agency, url: "https://qa.example"}}]
cost: {{amount: 49, currency: USD, per: month}}
prerequisites: [Basic arithmetic]
stackability: {{leads_to: [acme/sql-basics]}}
occupations: ["15-2051"]
tags: [data, python]
last_verified: {verified}
"""

SIMPLE = """\
title: {title}
type: {type}
description: {title}, a short credential.
url: https://acme.example/{slug}
languages: [en]
skills: [sql]
level: {level}
last_verified: {verified}
"""


def simple(slug: str, title: str, type_: str = "badge", level: str = "beginner", verified: str = "2026-09-01") -> str:
    return SIMPLE.format(slug=slug, title=title, type=type_, level=level, verified=verified)


def catalog_files() -> dict[str, str]:
    """A small catalog touching every field: a rich record, simple ones, a retired one, a second provider."""
    return {
        "acme/credentials/data-analysis.yml": RICH.format(verified="2026-10-01"),
        "acme/credentials/sql-basics.yml": simple("sql-basics", "SQL Basics", "course", "intermediate", "2026-08-15")
        + "stackability: {part_of: [acme/data-analysis]}\n",
        "acme/credentials/old-badge.yml": simple("old-badge", "Old Badge", "badge", "advanced", "2025-01-10") + "status: retired\n",
        "acme/credentials/team-lead.yml": simple("team-lead", "Team Lead", "certification", "EQF 6", "2026-07-01"),
        "beta/provider.yml": "name: Beta Academy\nurl: https://beta.example\ncountry: Germany\n",
        "beta/credentials/resilience.yml": simple("resilience", "Resilience at Work", "learning-program", "beginner", "2026-06-30")
        + "cost: free\nworkload: PT12H\n",
    }


@pytest.fixture
def small_catalog(catalog_dir):
    return catalog_dir(catalog_files())


def build(catalog_root: Path, out: Path, **settings) -> tuple:
    """Read the catalog and write the API into `out` (a fresh site folder); previous build from settings only."""
    catalog = read_catalog(catalog_root, settings.pop("as_of", AS_OF))
    config = Config(site_dir=out.parent / "no-live-site", **settings)
    report = write_feeds(catalog, config, out)
    return catalog, config, report


def api_files(out: Path) -> list[Path]:
    return sorted(p for p in (out / "api/v1").rglob("*") if p.is_file())


def documents(path: Path, lines: bool) -> list:
    if lines:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    return [json.loads(path.read_text(encoding="utf-8"))]


def test_every_api_file_validates_against_its_published_schema(small_catalog, tmp_path):
    out = tmp_path / "site"
    build(small_catalog, out, feed_page_size=2)
    validators: dict[str, Draft202012Validator] = {}
    checked = set()
    for path in api_files(out):
        rel = path.relative_to(out / "api/v1").as_posix()
        endpoint = endpoint_for(rel)
        assert endpoint is not None, f"{rel} is not described by any endpoint"
        if rel.endswith(".schema.json"):
            Draft202012Validator.check_schema(json.loads(path.read_text()))
            continue
        if endpoint.schema is None:
            continue
        if endpoint.schema not in validators:
            schema = json.loads((out / f"api/v1/schemas/{endpoint.schema}.schema.json").read_text())
            assert schema["$id"] == f"https://credcat.example/api/v1/schemas/{endpoint.schema}.schema.json"
            validators[endpoint.schema] = Draft202012Validator(schema, format_checker=FormatChecker())
        for doc in documents(path, endpoint.lines):
            errors = [f"{rel}: {e.json_path}: {e.message}" for e in validators[endpoint.schema].iter_errors(doc)]
            assert errors == []
        checked.add(endpoint.template)
    assert checked == {e.template for e in ENDPOINTS if e.schema}


def test_index_is_the_entry_point_and_every_link_resolves(small_catalog, tmp_path):
    out = tmp_path / "site"
    build(small_catalog, out)
    index = json.loads((out / "api/v1/index.json").read_text())
    assert index["name"] == "credcat" and index["licence"] == {"id": "CC-BY-4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
    assert index["counts"]["credentials"] == 5 and index["counts"]["retired"] == 1 and index["counts"]["providers"] == 2
    assert {"feed", "credentials", "providers", "skills", "bulk", "schemas"} <= set(index["links"])

    def local(url: str) -> Path:
        assert url.startswith("https://credcat.example/")
        return out / url.removeprefix("https://credcat.example/")

    links = dict(index["links"])
    links.pop("docs")  # the MkDocs page, written by the site build
    for url in [*(v for v in links.values() if isinstance(v, str)), *links["bulk_exports"].values()]:
        assert local(url).is_file(), url
    for entry in json.loads(local(index["links"]["schemas"]).read_text())["schemas"]:
        assert local(entry["url"]).is_file()


def test_credential_document_keeps_the_seed_fields_at_the_stable_path(small_catalog, tmp_path):
    out = tmp_path / "site"
    catalog, config, _ = build(small_catalog, out)
    cred = catalog.by_id["acme/data-analysis"]
    assert credential_api_path(cred) == "api/v1/credentials/acme/data-analysis.json"
    assert credential_page_path(cred) == "credentials/acme/data-analysis/"
    doc = json.loads((out / credential_api_path(cred)).read_text())
    assert doc == json.loads(json.dumps(credential_document(cred, catalog, config)))
    assert doc["page_url"] == "https://credcat.example/credentials/acme/data-analysis/"
    assert doc["content_hash"] == cred.content_hash and doc["seal"]["score"] == cred.seal.score
    assert doc["stackability"]["part_of_reverse"] == ["acme/sql-basics"]
    assert doc["links"]["ctdl"] == "https://credcat.example/api/v1/ctdl/acme/data-analysis.jsonld"
    provider = json.loads((out / "api/v1/providers/beta.json").read_text())
    assert provider["country"] == "DE" and provider["counts"] == {"credentials": 1, "active": 1, "retired": 0}


def test_credential_document_is_the_records_json_plus_the_api_fields(small_catalog):
    catalog = read_catalog(small_catalog, AS_OF)
    config = Config()
    for cred in catalog.credentials:
        doc = credential_document(cred, catalog, config)
        record = cred.to_json()
        record["stackability"].update({k: doc["stackability"][k] for k in ("part_of_reverse", "leads_to_reverse")})
        assert {k: v for k, v in doc.items() if k not in ("@context", "page_url", "links")} == record


def test_output_is_the_same_bytes_with_one_process_or_two(small_catalog, tmp_path, monkeypatch):
    from generator.feeds import chunks

    # Chunks of two credentials, and more than one process even for five credentials.
    monkeypatch.setattr(chunks, "CHUNK", 2)
    monkeypatch.setattr(chunks, "PARALLEL_MIN", 0)
    catalog = read_catalog(small_catalog, AS_OF)
    config = Config(site_dir=tmp_path / "no-live-site")
    done: dict[int, list[int]] = {}
    for jobs in (1, 2):
        done[jobs] = []
        write_feeds(catalog, config, tmp_path / f"jobs-{jobs}", advance=done[jobs].append, jobs=jobs)
    one, two = api_files(tmp_path / "jobs-1"), api_files(tmp_path / "jobs-2")
    assert [p.relative_to(tmp_path / "jobs-1") for p in one] == [p.relative_to(tmp_path / "jobs-2") for p in two]
    assert [p for p, q in zip(one, two) if p.read_bytes() != q.read_bytes()] == []
    cuts = chunks.chunks(catalog.credentials)
    assert len(cuts) > 1 and done[1] == done[2] == [stop - start for start, stop in cuts]
    # Each bulk file is one gzip member per chunk, read as one stream of lines in id order.
    bulk = tmp_path / "jobs-2/api/v1/bulk/credentials.ndjson.gz"
    assert bulk.read_bytes().count(b"\x1f\x8b\x08\x00\x00\x00\x00\x00") == len(cuts)
    assert [d["id"] for d in documents(bulk, True)] == [c.id for c in catalog.credentials]


def test_chunk_cuts_follow_ids_so_an_addition_moves_one_chunk(monkeypatch):
    from types import SimpleNamespace

    from generator.feeds import chunks

    monkeypatch.setattr(chunks, "CHUNK", 4)
    ids = [SimpleNamespace(id=f"p/c{i:04d}") for i in range(400)]
    before = chunks.chunks(ids)
    assert before[0][0] == 0 and before[-1][1] == 400 and all(b - a <= 16 for a, b in before)
    assert 40 < len(before) < 200  # about CHUNK long on average
    grown = ids[:150] + [SimpleNamespace(id="p/c0150a")] + ids[150:]
    after = chunks.chunks(grown)

    def members(cuts, items):
        return {tuple(x.id for x in items[a:b]) for a, b in cuts}

    changed = members(after, grown) - members(before, ids)
    gone = members(before, ids) - members(after, grown)
    # Only the chunk the new id falls in changes (split in two when the new id is itself a cut).
    assert len(gone) == 1 and 1 <= len(changed) <= 2
    assert sorted(x for chunk in changed for x in chunk) == sorted([*next(iter(gone)), "p/c0150a"])


def test_lists_are_paginated_in_id_order_with_next_and_prev(small_catalog, tmp_path):
    out = tmp_path / "site"
    catalog, _, report = build(small_catalog, out, api_page_size=2)
    url = "https://credcat.example/api/v1/credentials/page-1.json"
    seen, pages, prev = [], 0, None
    while url:
        page = json.loads((out / url.removeprefix("https://credcat.example/")).read_text())
        pages += 1
        assert len(page["items"]) <= 2 and page["links"]["prev"] == prev and page["page"] == pages
        seen += [item["id"] for item in page["items"]]
        prev, url = page["links"]["self"], page["links"]["next"]
    assert seen == sorted(c.id for c in catalog.credentials) and pages == report.credential_pages == 3
    acme = json.loads((out / "api/v1/providers/acme/page-2.json").read_text())
    assert [i["id"] for i in acme["items"]] == ["acme/sql-basics", "acme/team-lead"] and acme["links"]["next"] is None


def test_bulk_dump_is_gzipped_ndjson_and_byte_identical_across_builds(small_catalog, tmp_path):
    build(small_catalog, tmp_path / "one")
    build(small_catalog, tmp_path / "two")
    for rel in ("bulk/credentials.ndjson.gz", "bulk/ctdl.ndjson.gz", "bulk/ob3.ndjson.gz", "bulk/schemaorg.ndjson.gz"):
        first = (tmp_path / "one/api/v1" / rel).read_bytes()
        assert first == (tmp_path / "two/api/v1" / rel).read_bytes()
        assert first[:2] == b"\x1f\x8b" and first[3] == 0 and first[4:8] == b"\0\0\0\0"  # no FNAME flag, mtime 0
    lines = documents(tmp_path / "one/api/v1/bulk/credentials.ndjson.gz", True)
    assert [d["id"] for d in lines] == sorted(d["id"] for d in lines)
    for doc in lines:
        assert doc == json.loads((tmp_path / "one" / f"api/v1/credentials/{doc['id']}.json").read_text())


def test_whole_api_is_reproducible(small_catalog, tmp_path):
    build(small_catalog, tmp_path / "one")
    build(small_catalog, tmp_path / "two")
    one, two = api_files(tmp_path / "one"), api_files(tmp_path / "two")
    assert [p.relative_to(tmp_path / "one") for p in one] == [p.relative_to(tmp_path / "two") for p in two]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(one, two))


def _reader():
    """reader's vendored feedparser imports `sgmllib`; feedparser_sgmllib is that module under another name."""
    import importlib
    import sys

    try:
        importlib.import_module("sgmllib")
    except ModuleNotFoundError:
        sys.modules["sgmllib"] = importlib.import_module("feedparser_sgmllib")
    from reader import make_reader

    return make_reader(":memory:")


def test_feed_is_json_feed_1_1_read_by_reader_following_next_url(small_catalog, tmp_path, serve_dir):
    out = tmp_path / "site"
    out.mkdir()
    base = serve_dir(out)  # files are served as they are written: build for the server's URL
    build(small_catalog, out, feed_page_size=2, site_url=base)
    reader = _reader()
    url, ids, pages = base + "api/v1/feed.json", [], 0
    while url:
        reader.add_feed(url)
        reader.update_feeds()
        feed = reader.get_feed(url)
        assert feed.version == "json11" and feed.last_exception is None
        page_ids = [e.id for e in reader.get_entries(feed=url)]
        raw = json.loads((out / url.removeprefix(base)).read_text())
        assert sorted(page_ids) == sorted(i["id"] for i in raw["items"])
        ids += [i["id"] for i in raw["items"]]
        pages += 1
        url = raw.get("next_url")
    assert pages == 3 and len(ids) == len(set(ids)) == 5
    assert all(re.fullmatch(re.escape(base) + r"credentials/[a-z0-9-]+/[a-z0-9-]+/#change-1", i) for i in ids)


def _offline_loader(out: Path):
    """A pyld document loader that serves the bundled context and refuses everything else (no network)."""
    context = json.loads((out / "api/v1/context.jsonld").read_text())
    served = []

    def load(url: str, options=None) -> dict:
        if url != "https://credcat.example/api/v1/context.jsonld":
            raise RuntimeError(f"the test loader serves only the bundled context, not {url}")
        served.append(url)
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": context}

    return load, served


def test_jsonld_documents_expand_with_the_bundled_context_only(small_catalog, tmp_path):
    from pyld import jsonld

    out = tmp_path / "site"
    build(small_catalog, out)
    load, served = _offline_loader(out)
    doc = json.loads((out / "api/v1/credentials/acme/data-analysis.json").read_text())
    [node] = jsonld.expand(doc, {"documentLoader": load})
    assert served
    s, ct = "https://schema.org/", "https://purl.org/ctdl/terms/"
    names = {v["@language"]: v["@value"] for v in node[s + "name"]}
    assert names == {"en": "Data Analysis with Python", "de": "Datenanalyse mit Python"}
    assert node[ct + "subjectWebpage"] == [{"@id": "https://acme.example/data-analysis"}]
    assert node[s + "url"] == [{"@id": "https://credcat.example/credentials/acme/data-analysis/"}]
    skills = node[s + "teaches"]
    assert {v["@value"] for sk in skills for v in sk[s + "name"]} == {"Python", "SQL", "Teamwork"}
    assert node[ct + "estimatedDuration"][0][ct + "minimumDuration"] == [{"@value": "P6W"}]
    for rel in ("api/v1/providers/acme.json", "api/v1/skills.json", "api/v1/ctdl/acme/data-analysis.jsonld"):
        expanded = jsonld.expand(json.loads((out / rel).read_text()), {"documentLoader": load})
        assert expanded and all(k.startswith(("http", "@")) for k in expanded[0])


def test_openapi_description_is_valid_and_lists_every_file_type(small_catalog, tmp_path):
    from openapi_spec_validator import validate

    out = tmp_path / "site"
    build(small_catalog, out)
    spec = json.loads((out / "api/v1/openapi.json").read_text())
    validate(spec)
    assert spec["openapi"].startswith("3.1") and spec["servers"] == [{"url": "https://credcat.example/api/v1"}]
    patterns = [re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(p.lstrip("/"))) + "$") for p in spec["paths"]]
    for path in api_files(out):
        rel = path.relative_to(out / "api/v1").as_posix()
        assert any(p.match(rel) for p in patterns), f"{rel} is not in openapi.json"
    assert set(spec["components"]["schemas"]) >= {"index", "credential", "provider", "skills", "credential-page",
                                                  "feed", "feed-extension", "bulk-line"}


def test_real_build_writes_the_api(small_catalog, tmp_path, repo_root, monkeypatch):
    from click.testing import CliRunner

    from generator.cli import main

    monkeypatch.chdir(repo_root)
    site = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", "--catalog", str(small_catalog), "--out", str(site), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    index = json.loads((site / "api/v1/index.json").read_text())
    assert index["counts"]["credentials"] == 5 and index["feed"]["sequence"] == 1
    page = (site / "credentials/acme/data-analysis/index.html").read_text()
    assert "api/v1/credentials/acme/data-analysis.json" in page
    # a second build compares with the live site it replaces: nothing changed, so no new feed items
    result = CliRunner().invoke(main, ["build", "--catalog", str(small_catalog), "--out", str(site), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    again = json.loads((site / "api/v1/index.json").read_text())
    assert again["feed"] == {**index["feed"], "this_build": {"added": 0, "updated": 0, "removed": 0}}


def test_per_record_exports_can_be_switched_off(small_catalog, tmp_path):
    out = tmp_path / "site"
    build(small_catalog, out, api_exports=False)
    assert not (out / "api/v1/ctdl").exists() and (out / "api/v1/bulk/ctdl.ndjson.gz").is_file()


def test_config_is_a_frozen_dataclass_with_the_new_fields():
    config = replace(Config(), previous="https://example.org/")
    assert config.previous == "https://example.org/" and Config().api_exports is True


def test_every_file_family_and_schema_is_documented(repo_root):
    from generator.feeds.schemas import BUILDERS

    docs = (repo_root / "docs/api.md").read_text(encoding="utf-8")
    assert [e.template for e in ENDPOINTS if f"`{e.template}`" not in docs] == []
    assert [name for name in BUILDERS if f"`{name}`" not in docs] == []
