"""Render stage units: related index, parallel output, formatting, the shell, JSON-LD escaping, docs coverage."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from generator.catalog import read_catalog
from generator.config import Config
from generator.jsonld import script_json
from generator.render import format as fmt
from generator.render.cards import card, cred_link
from generator.render.pages import paginate
from generator.render.related import RelatedIndex
from generator.render.shell import Shell
from site_support import AS_OF, REPO, build, digest

sys.path.insert(0, str(REPO / "bench"))


def test_related_index_answers_exactly_as_catalog_related(tmp_path):
    from synth import generate

    generate(800, tmp_path / "synthetic", seed=7)
    for root in (REPO / "catalog", tmp_path / "synthetic"):
        catalog = read_catalog(root, AS_OF)
        index = RelatedIndex(catalog)
        for cred in catalog.credentials:
            assert [c.id for c in index.related(cred)] == [c.id for c in catalog.related(cred)], cred.id


def test_parallel_rendering_writes_the_same_bytes(tmp_path, monkeypatch):
    import generator.render as render

    assert build(tmp_path / "serial", "--jobs", "1").exit_code == 0
    monkeypatch.setattr(render, "PARALLEL_MIN", 0)
    monkeypatch.setattr(render, "CHUNK", 10)
    assert build(tmp_path / "parallel", "--jobs", "2").exit_code == 0
    assert digest(tmp_path / "serial") == digest(tmp_path / "parallel")


def test_long_lists_are_rendered_a_run_of_pages_at_a_time_from_orders_made_beforehand(tmp_path, monkeypatch):
    # A worker copies every page of memory it reads: a list-page task renders a run of a list's
    # pages, and neither sorts the whole list nor sums it up (the build process did, before forking).
    import generator.render as render
    from generator.render import pages as pages_module
    from synth import generate

    generate(800, tmp_path / "synthetic", seed=7)
    catalog = read_catalog(tmp_path / "synthetic", AS_OF)
    config = Config(browse_page_size=10)
    monkeypatch.setattr(render, "CHUNK", 20)  # runs of 2 pages
    units, weights = render._units(config, pages_module.group_sizes(catalog, config))
    tasks = render._slices(len(catalog.credentials), weights)
    groups = pages_module.page_groups(catalog, config)
    whole = [(spec.path, spec.name) for group in groups for spec in group()]
    rest = [(spec.path, spec.name) for i, numbers in units if numbers is None for spec in groups[i]()]
    pages_module.prepare_lists(catalog)
    try:
        def no_sorting(_):
            raise AssertionError("a list was sorted while its pages were rendered")

        monkeypatch.setattr(pages_module, "listing_order", no_sorting)
        monkeypatch.setattr(pages_module, "_provider_summary", no_sorting)
        in_runs = [(spec.path, spec.name) for i, numbers in units if numbers is not None
                   for spec in groups[i](pages=numbers)]
    finally:
        pages_module.forget_lists()
    runs = [numbers for _, numbers in units if numbers is not None]
    assert runs and all(len(numbers) <= 2 for numbers in runs)
    assert len(in_runs) == len(set(in_runs)) and set(in_runs) <= set(whole)
    assert any(path.startswith("skills/") and "page" in path for path, _ in in_runs)
    assert sorted(in_runs + rest) == sorted(whole)  # every page once, whether in runs or whole
    assert {t[0] for t in tasks} == {"credentials", "groups"}


def test_lists_prepared_beforehand_are_in_listing_order(tmp_path):
    # prepare_lists sorts the catalog once and each list by its credentials' places in it: the
    # order must be listing_order's, retired credentials last, ties on the title broken by id.
    from generator.render import pages as pages_module
    from synth import generate

    generate(800, tmp_path / "synthetic", seed=11)
    catalog = read_catalog(tmp_path / "synthetic", AS_OF)
    lists = [*catalog.by_provider.values(), *catalog.by_skill.values(), *catalog.by_type.values(),
             *catalog.by_eqf.values(), *catalog.by_audience.values()]
    expected = [[cred.id for cred in pages_module.listing_order(creds)] for creds in lists]
    assert any(cred.retired for cred in catalog.credentials)
    pages_module.prepare_lists(catalog)
    try:
        assert [[cred.id for cred in pages_module.in_order(creds)] for creds in lists] == expected
    finally:
        pages_module.forget_lists()


@pytest.mark.parametrize(("iso", "words"), [
    ("P6W", "6 weeks"), ("P1W", "1 week"), ("PT40H", "40 hours"), ("P1Y6M", "1 year 6 months"),
    ("P2DT3H", "2 days 3 hours"), ("PT1.5H", "1.5 hours"), ("nonsense", "nonsense")])
def test_iso_durations_read_as_words(iso, words):
    assert fmt.iso_duration(iso) == words


def test_values_read_as_a_learner_expects():
    from generator.model import Assessment, Cost, Duration, Level, Workload

    assert fmt.duration(Duration("P2M", "P3M")) == "2 to 3 months"
    assert fmt.duration(Duration("P6W", "P2M")) == "6 weeks to 2 months"
    assert fmt.duration(Duration("P6W", "P6W")) == "6 weeks"
    assert fmt.workload(Workload(hours=40.0, ects=2.0)) == "40 hours · 2 ECTS credits"
    assert fmt.workload(Workload(ects=1)) == "1 ECTS credit"
    assert fmt.level(Level(eqf=5, audience="beginner")) == "EQF level 5 · Beginner"
    assert fmt.cost((Cost("0", None),)) == "Free"
    assert fmt.cost((Cost("1200.5", "EUR", "year"), Cost("49", "USD", "month"))) == "EUR 1,200.50 per year or USD 49 per month"
    assert fmt.assessment(Assessment(("exam", "project", "peer-review"), "proctored", True)) == \
        "Exam, project and peer review, proctored, identity verified"
    assert fmt.language_name("pt-BR") == "Portuguese (Brazil)" and fmt.language_name("de") == "German"
    assert fmt.long_date("2026-03-01") == "1 March 2026"
    assert fmt.safe_url("javascript:alert(1)") == "" and fmt.safe_url("https://x.example/a") == "https://x.example/a"


SHELL_HTML = """<!doctype html>
<html><head>
  <meta name="description" content="@@credcat:description@@">
  @@credcat:head@@
  <title>@@credcat:title@@</title>
  <link rel="stylesheet" href="assets/stylesheets/main.css">
  <script src="assets/credcat/md-scope.js" data-md-scope="."></script>
</head><body>

  <a href="." class="md-logo">home</a> <a href="about/">about</a> <a href="https://x.example/">out</a> <a href="#top">top</a>
  <form action="search/"></form>
  <span>@@credcat:name@@</span>
  <article>@@credcat:content@@</article>
  <script id="__config" type="application/json">{"base": ".", "search": "assets/javascripts/workers/search.js"}</script>
</body></html>"""


def test_shell_rebases_links_and_fills_slots():
    shell = Shell.from_material(SHELL_HTML)
    page = shell.render(depth=3, title="A <b> - site", name="A <b>", description='say "hi" & <go>',
                        head='<link rel="canonical" href="https://x/">', content="<p>body</p>")
    assert 'href="../../../assets/stylesheets/main.css"' in page
    assert 'src="../../../assets/credcat/md-scope.js" data-md-scope="../../../"' in page
    assert 'href="../../../" class="md-logo"' in page and 'href="../../../about/"' in page
    assert 'href="https://x.example/"' in page and 'href="#top"' in page and 'action="../../../search/"' in page
    assert '"base": "../../../"' in page and '"search": "../../../assets/javascripts/workers/search.js"' in page
    assert "<title>A &lt;b&gt; - site</title>" in page and "<span>A &lt;b&gt;</span>" in page
    assert 'content="say &quot;hi&quot; &amp; &lt;go&gt;"' in page
    assert "<article><p>body</p></article>" in page and "\n\n" not in page
    root = shell.render(depth=0, title="t", name="n", description="d", head="", content="")
    assert 'href="./" class="md-logo"' in root and 'href="assets/stylesheets/main.css"' in root


def test_shell_that_lost_its_slots_is_refused():
    with pytest.raises(ValueError, match="missing"):
        Shell.from_material("<html><title>@@credcat:title@@</title></html>")


def test_script_json_cannot_close_the_script_element():
    text = script_json({"name": "</script><script>alert(1)</script>", "and": "a & b", "sep": "\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"


def test_cards_escape_provider_text():
    catalog = read_catalog(REPO / "catalog", AS_OF)
    cred = catalog.credentials[0]
    from dataclasses import replace

    hostile = replace(cred, title=(("en", '<img src=x onerror="alert(1)">'),), id="x/y")
    html = card(hostile, "../", "h2")
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "<img" not in str(cred_link("../", "x/y", hostile))
    assert str(cred_link("../", "ghost/id", None)) == "ghost/id"


def test_pager_numbers_show_first_last_and_neighbours():
    items = list(range(95))
    pages = paginate(items, 10, "providers/p/")  # type: ignore[arg-type]
    assert len(pages) == 10 and pages[0].path == "providers/p/" and pages[1].path == "providers/p/page/2/"
    assert pages[4].numbers == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert (pages[9].first, pages[9].last, pages[9].total) == (91, 95, 95)
    assert paginate([], 10, "x/")[0].count == 1


def test_seal_page_lists_the_seal_modules_elements(tmp_path):
    from generator.plugin import seal_elements_markdown
    from generator.seal import ELEMENTS

    text = seal_elements_markdown()
    assert all(f"| {label} |" in text for _, label in ELEMENTS)
    result = build(tmp_path / "site")
    assert result.exit_code == 0
    page = (tmp_path / "site/quality-seal/index.html").read_text(encoding="utf-8")
    assert all(label.replace("(", "(") in page for _, label in ELEMENTS)


# --- documentation ------------------------------------------------------------------------------

def _docs() -> str:
    return (REPO / "docs/building.md").read_text(encoding="utf-8")


def test_every_build_and_serve_option_is_documented():
    from generator.build_cli import build as build_command, serve as serve_command

    docs = _docs()
    for command in (build_command, serve_command):
        assert f"`credcat {command.name}`" in docs
        for param in command.params:
            if isinstance(param, click.Option):
                assert f"`{max(param.opts, key=len)}" in docs, f"{command.name} {param.opts}"


def test_every_plugin_setting_is_documented():
    from generator.plugin import CredcatPluginConfig

    docs = _docs()
    for key in CredcatPluginConfig._schema:  # type: ignore[attr-defined]
        assert f"| `{key[0]}` |" in docs, key[0]


def test_every_output_path_is_documented(tmp_path):
    docs = _docs()
    for path in ("index.html", "search/", "credentials/<provider>/<slug>/", "providers/", "providers/<provider>/",
                 "providers/<provider>/page/<n>/", "skills/", "skills/<skill-id>/", "browse/type/<type>/",
                 "browse/level/eqf-<n>/", "browse/level/<audience>/", "stats/", "compare/?ids=<id>,<id>",
                 "sitemap.xml", "robots.txt", "404.html"):
        assert f"`{path}`" in docs, path


def test_site_config_sets_only_documented_credcat_keys():
    import yaml

    data = yaml.safe_load((REPO / "site_config.yml").read_text(encoding="utf-8"))
    [options] = [p["credcat"] for p in data["plugins"] if isinstance(p, dict) and "credcat" in p]
    docs = _docs()
    assert all(f"| `{key}` |" in docs for key in options)
    assert set(options) <= set(Config.__dataclass_fields__)


def test_related_index_parity_on_random_small_catalogs():
    """Ties, duplicate skills, retired credentials, rare and common skills: random catalogs of every shape."""
    import random
    from dataclasses import replace

    from generator.catalog import from_credentials
    from generator.model import Skill

    bundled = read_catalog(REPO / "catalog", AS_OF)
    template = bundled.credentials[0]
    skills = [Skill(f"Skill {i}", f"s{i}", "technical") for i in range(12)]
    for seed in range(60):
        rng = random.Random(seed)
        creds = []
        for n in range(rng.randint(2, 60)):
            chosen = tuple(rng.choice(skills) for _ in range(rng.randint(0, 10)))  # duplicates on purpose
            creds.append(replace(template, id=f"p/c{n:03d}", slug=f"c{n:03d}", skills=chosen,
                                 status="retired" if rng.random() < 0.15 else "active"))
        catalog = from_credentials(creds, bundled.taxonomy, AS_OF)
        index = RelatedIndex(catalog)
        for cred in catalog.credentials:
            assert [c.id for c in index.related(cred)] == [c.id for c in catalog.related(cred)], (seed, cred.id)


def test_every_list_is_prepared_in_listing_order_retired_last_then_title_then_id():
    """prepare_lists makes the lists again from the sorted catalog: each must be its credentials sorted by
    (retired, title casefolded, id), here with titles that differ only in case and retired credentials."""
    import random
    from dataclasses import replace

    from generator.catalog import Catalog
    from generator.render.pages import in_order, forget_lists, listing_order, prepare_lists

    bundled = read_catalog(REPO / "catalog", AS_OF)
    rng = random.Random(7)
    titles = ["Data analysis", "data Analysis", "Zeta", "alpha"]
    creds = [replace(c, title=((c.title[0][0], rng.choice([*titles, c.name])), *c.title[1:]),
                     status=rng.choice(["active", "retired", c.status])) for c in bundled.credentials]
    catalog = Catalog(credentials=creds, providers=bundled.providers, taxonomy=bundled.taxonomy, as_of=AS_OF)
    assert any(c.retired for c in catalog.credentials)
    lists = [*catalog.by_provider.values(), *catalog.by_skill.values(), *catalog.by_type.values(),
             *catalog.by_eqf.values(), *catalog.by_audience.values()]
    prepare_lists(catalog)
    try:
        for creds_of_list in lists:
            expected = sorted(creds_of_list, key=lambda c: (c.retired, c.name.casefold(), c.id))
            assert [c.id for c in in_order(creds_of_list)] == [c.id for c in expected]
            assert [c.id for c in listing_order(creds_of_list)] == [c.id for c in expected]
        assert in_order(creds[:5]) == sorted(creds[:5], key=lambda c: (c.retired, c.name.casefold(), c.id))  # not a list of the catalog
    finally:
        forget_lists()


def test_a_list_page_is_signed_by_every_field_of_its_pager_and_its_records_fingerprints():
    """The Pager's stand-in in signatures (cache.sign_as) must hold each of its fields: a change to any, or to a
    record on the page, changes the page's signature; the same pager signs the same."""
    from dataclasses import fields, replace

    from generator.cache import Fingerprints
    from generator.render.pages import Pager

    catalog = read_catalog(REPO / "catalog", AS_OF)
    fingerprints = Fingerprints(catalog.fingerprints)
    pager = paginate(catalog.credentials, 10, "providers/x/")[1]
    base = fingerprints.signature(b"key", {"pager": pager})
    assert Fingerprints(catalog.fingerprints).signature(b"key", {"pager": replace(pager)}) == base
    changes = {"number": 3, "count": 9, "total": 99, "items": pager.items[1:], "prefix": "providers/y/", "size": 11}
    assert set(changes) == {f.name for f in fields(Pager)}  # a field added to Pager must be signed too
    for name, value in changes.items():
        assert fingerprints.signature(b"key", {"pager": replace(pager, **{name: value})}) != base, name
    edited = Fingerprints({**catalog.fingerprints, pager.items[4].id: b"\x00" * 16})
    assert edited.signature(b"key", {"pager": pager}) != base


def test_lists_bench_times_both_ways_and_finds_every_list_in_the_same_order(tmp_path):
    """bench/lists.py: listing_order and prepare_lists against one sort on the key tuple, side by side."""
    bench = Path(__file__).resolve().parents[1] / "bench" / "lists.py"
    done = subprocess.run([sys.executable, str(bench), "--size", "150", "--rounds", "1", "--work", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "lists in a different order: 0" in done.stdout
    rows = [line for line in done.stdout.splitlines() if line.startswith(("| the whole catalog |", "| every list ("))]
    assert len(rows) == 2, done.stdout
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert int(cells[1].replace(",", "")) >= 150
        assert float(cells[2].removesuffix(" s CPU")) >= 0 and float(cells[3].removesuffix(" s CPU")) >= 0


def test_the_statistics_charts_count_what_each_credential_says():
    """The skills and freshness charts, counted by date and with Counter, against a count credential by credential
    (dates on each side of every freshness limit, none, and skills outside the taxonomy)."""
    import random
    from dataclasses import replace
    from datetime import date, timedelta

    from generator.catalog import Catalog
    from generator.render import charts

    bundled = read_catalog(REPO / "catalog", AS_OF)
    rng = random.Random(3)
    today = date.fromisoformat(AS_OF)
    ages = [0, 91, 92, 182, 183, 365, 366, 2000]
    creds = [replace(c, last_verified=rng.choice([None, "", *((today - timedelta(days=a)).isoformat() for a in ages)]))
             for c in bundled.credentials]
    catalog = Catalog(credentials=creds, providers=bundled.providers, taxonomy=bundled.taxonomy, as_of=AS_OF)
    fresh = {label: 0 for _, label in charts.FRESHNESS}
    never = 0
    for cred in creds:
        if not cred.last_verified:
            never += 1
            continue
        age = (today - date.fromisoformat(cred.last_verified)).days
        fresh[next(label for limit, label in charts.FRESHNESS if limit is None or age <= limit)] += 1
    assert [value for _, value, _ in charts.by_freshness(catalog).rows] == [*fresh.values(), never]
    assert 0 not in fresh.values() and never
    named = [skill.kind if skill.id else "unknown" for cred in creds for skill in cred.skills]
    power = sum(1 for cred in creds if any(skill.id and skill.kind == "power" for skill in cred.skills))
    expected = [named.count("technical"), named.count("power"), named.count("unknown"), power]
    assert [value for _, value, _ in charts.by_skill_kind(catalog).rows] == expected
    assert all(expected)
