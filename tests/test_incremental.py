"""Incremental builds: after each kind of change, a build that reuses the cache equals a clean build, byte for byte.

Each test builds a small catalog once (filling the cache), keeps a copy of that site as the
published one, makes one change, then builds twice: incrementally into the same folder, and with
`--clean` into another folder against the kept copy (so both change feeds compare with the same
previous site). The two trees must be identical, and the incremental one must have reused files
where the change leaves them alone.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import pytest

from generator.build import BuildReport, build
from site_support import ADVANCED, AS_OF, FULL_RECORD, PROGRAM, REPO, config_copy, digest, write_files

OTHER = """\
title: Teamwork at Work
type: badge
description: Working well in a team.
url: https://acme.example/teamwork
languages: [en]
skills: [teamwork, communication]
last_verified: 2026-09-01
"""

BETA_PROVIDER = """\
name: Beta College
url: https://beta.example
country: IE
"""

BETA = """\
title: Python for Analysts
type: course
description: Python and SQL for analysts.
url: https://beta.example/python
languages: [en]
skills: [python, sql]
last_verified: 2026-08-01
"""


@pytest.fixture
def catalog(catalog_dir) -> Path:
    return catalog_dir({
        "acme/credentials/data-analysis.yml": FULL_RECORD,
        "acme/credentials/data-program.yml": PROGRAM,
        "acme/credentials/advanced-analytics.yml": ADVANCED,
        "acme/credentials/teamwork.yml": OTHER,
        "beta/provider.yml": BETA_PROVIDER,
        "beta/credentials/python-for-analysts.yml": BETA,
    })


def run(out: Path, catalog: Path, config: Path = REPO / "site_config.yml", **options) -> BuildReport:
    return build(config, catalog=catalog, out=out, as_of=AS_OF, **options)


def assert_incremental_equals_clean(tmp_path: Path, catalog: Path, change, config_before: Path | None = None,
                                    config_after: Path | None = None, jobs: int | None = None) -> BuildReport:
    """Build, change, build incrementally and cleanly; the trees must match. Returns the incremental report."""
    site = tmp_path / "site"
    first = run(site, catalog, config_before or REPO / "site_config.yml")
    assert first.reused == 0  # nothing to reuse yet: every file was made
    published = tmp_path / "published"
    shutil.copytree(site, published, symlinks=True)
    change()
    after = config_after or config_before or REPO / "site_config.yml"
    incremental = run(site, catalog, after, jobs=jobs)
    clean = run(tmp_path / "clean", catalog, after, clean=True, previous=str(published))
    assert clean.reused == 0
    assert digest(site) == digest(tmp_path / "clean")
    return incremental


def test_unchanged_catalog_reuses_every_page(tmp_path, catalog):
    report = assert_incremental_equals_clean(tmp_path, catalog, lambda: None)
    pages = len(list((tmp_path / "site" / "credentials").rglob("index.html")))
    documents = len(list((tmp_path / "site" / "api/v1/credentials").rglob("*.json")))
    exports = sum(len(list((tmp_path / "site" / "api/v1" / fmt).rglob("*.jsonld"))) for fmt in ("ctdl", "ob3", "schemaorg"))
    assert pages == report.credentials and documents > report.credentials and exports == 3 * report.credentials
    # Credential pages, their documents and exports all linked (list pages too; the search page never).
    assert report.reused >= pages + report.credentials + exports


def test_edit(tmp_path, catalog):
    record = catalog / "acme/credentials/data-program.yml"
    # The program is linked from data-analysis (part_of): its new title must reach that page too.
    report = assert_incremental_equals_clean(
        tmp_path, catalog, lambda: record.write_text(PROGRAM.replace("Data Program", "Data Science Program")))
    assert report.reused > 0
    linking = (tmp_path / "site/credentials/acme/data-analysis/index.html").read_text(encoding="utf-8")
    assert "Data Science Program" in linking


def test_a_new_link_reaches_the_page_linked_to(tmp_path, catalog):
    # Teamwork now leads to the advanced course: that page lists it, though neither the advanced course's
    # record nor its related credentials changed (only who links to it).
    teamwork = catalog / "acme/credentials/teamwork.yml"
    report = assert_incremental_equals_clean(
        tmp_path, catalog, lambda: teamwork.write_text(OTHER + "stackability: {leads_to: [acme/advanced-analytics]}\n"))
    assert report.reused > 0
    page = (tmp_path / "site/credentials/acme/advanced-analytics/index.html").read_text(encoding="utf-8")
    assert "Teamwork at Work" in page


def test_a_link_removed_leaves_the_page_linked_to(tmp_path, catalog):
    # The other way: the page linked to must drop teamwork, which is then in no list of who links to it.
    teamwork = catalog / "acme/credentials/teamwork.yml"
    teamwork.write_text(OTHER + "stackability: {leads_to: [acme/advanced-analytics]}\n")
    report = assert_incremental_equals_clean(tmp_path, catalog, lambda: teamwork.write_text(OTHER))
    assert report.reused > 0
    page = (tmp_path / "site/credentials/acme/advanced-analytics/index.html").read_text(encoding="utf-8")
    assert "Teamwork at Work" not in page


def test_add(tmp_path, catalog):
    def add() -> None:
        write_files(catalog, {"beta/credentials/sql-basics.yml": BETA.replace("Python for Analysts", "SQL Basics")})

    report = assert_incremental_equals_clean(tmp_path, catalog, add)
    assert report.reused > 0
    assert (tmp_path / "site/credentials/beta/sql-basics/index.html").is_file()


def test_remove(tmp_path, catalog):
    report = assert_incremental_equals_clean(
        tmp_path, catalog, lambda: (catalog / "acme/credentials/teamwork.yml").unlink())
    assert report.reused > 0
    assert not (tmp_path / "site/credentials/acme/teamwork").exists()


def test_rename_a_provider(tmp_path, catalog):
    report = assert_incremental_equals_clean(
        tmp_path, catalog, lambda: (catalog / "beta").rename(catalog / "beta-college"))
    assert report.reused > 0
    assert (tmp_path / "site/credentials/beta-college/python-for-analysts/index.html").is_file()
    assert not (tmp_path / "site/credentials/beta").exists()


def test_change_the_taxonomy(tmp_path, catalog):
    taxonomy = catalog / "taxonomy/skills.yml"

    def relabel() -> None:
        taxonomy.write_text(taxonomy.read_text(encoding="utf-8").replace("label: SQL,", "label: SQL databases,"),
                            encoding="utf-8")

    assert_incremental_equals_clean(tmp_path, catalog, relabel)
    page = (tmp_path / "site/credentials/beta/python-for-analysts/index.html").read_text(encoding="utf-8")
    assert "SQL databases" in page


def test_change_the_taxonomy_where_only_skill_pages_show_it(tmp_path, catalog):
    """Synonyms are shown on a skill's own page, not in the records: a named skill's and an unnamed one's."""
    taxonomy = catalog / "taxonomy/skills.yml"

    def resynonym() -> None:
        text = taxonomy.read_text(encoding="utf-8")
        text = text.replace("[python programming]", "[python programming, py]").replace("[grit, perseverance]", "[grit]")
        taxonomy.write_text(text, encoding="utf-8")

    assert_incremental_equals_clean(tmp_path, catalog, resynonym)
    assert "python programming, py" in (tmp_path / "site/skills/python/index.html").read_text(encoding="utf-8")
    assert "perseverance" not in (tmp_path / "site/skills/resilience/index.html").read_text(encoding="utf-8")


def test_change_a_template(tmp_path, catalog):
    template = REPO / "theme/templates/credential.html"
    original = template.read_bytes()
    marker = "<!-- incremental-test-marker -->"
    try:
        assert_incremental_equals_clean(
            tmp_path, catalog, lambda: template.write_bytes(original + marker.encode() + b"\n"))
        page = (tmp_path / "site/credentials/acme/teamwork/index.html").read_text(encoding="utf-8")
        assert marker in page
    finally:
        template.write_bytes(original)


def test_compiled_templates_come_from_the_cache_and_follow_a_template_edit(tmp_path, catalog, monkeypatch):
    """Our templates and MkDocs' are compiled once into the cache folder; the next build loads them compiled (no
    template compiled again), an edited template is compiled afresh, and --clean compiles everything again."""
    import os

    import jinja2

    compiled: list[str] = []
    real_compile = jinja2.Environment.compile

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return real_compile(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    cache = Path(os.environ["CREDCAT_CACHE_DIR"])
    run(tmp_path / "site", catalog)
    first = set(compiled)
    assert {"credential.html", "main.html", "base.html"} <= first  # ours, Material's override, Material's own
    stored = {p.name for p in (cache / "templates").rglob("*.jinja")}
    assert len(stored) >= len(first)
    compiled.clear()
    run(tmp_path / "site", catalog)
    assert compiled == []  # every template loaded compiled
    template = REPO / "theme/templates/credential.html"
    original = template.read_bytes()
    marker = "<!-- compiled-template-marker -->"
    try:
        template.write_bytes(original + marker.encode() + b"\n")
        run(tmp_path / "site", catalog)
        assert compiled == ["credential.html"]
        assert marker in (tmp_path / "site/credentials/acme/teamwork/index.html").read_text(encoding="utf-8")
    finally:
        template.write_bytes(original)
    compiled.clear()
    run(tmp_path / "site", catalog, clean=True)
    assert set(compiled) == first


def test_change_the_config(tmp_path, catalog):
    before = config_copy(tmp_path / "config-a")
    after = config_copy(tmp_path / "config-b", browse_page_size=2)
    assert_incremental_equals_clean(tmp_path, catalog, lambda: None, config_before=before, config_after=after)
    assert (tmp_path / "site/providers/acme/page/2/index.html").is_file()


def test_a_small_change_goes_into_the_site_in_place(tmp_path, catalog):
    """One edit: only the changed files are written, renamed into the same site folder (no copy of the rest)."""
    site, record, before = tmp_path / "site", catalog / "acme/credentials/teamwork.yml", {}

    def edit() -> None:
        before["folder"] = site.stat().st_ino
        before["page"] = (site / "credentials/beta/python-for-analysts/index.html").stat().st_ino
        record.write_text(OTHER.replace("Teamwork at", "Teamwork in"))

    report = assert_incremental_equals_clean(tmp_path, catalog, edit)
    assert report.in_place and report.reused > 0
    assert site.stat().st_ino == before["folder"]  # the same folder, updated
    assert (site / "credentials/beta/python-for-analysts/index.html").stat().st_ino == before["page"]  # not rewritten
    assert "Teamwork in Work" in (site / "credentials/acme/teamwork/index.html").read_text(encoding="utf-8")


def test_a_one_record_change_leaves_the_other_archived_feed_pages_in_place(tmp_path, catalog):
    """A feed page is kept by its text: the edit writes feed.json, a new page for what feed.json passes on, and the
    page before the one the record's old item left (emptied, it goes); every other page stays the same file."""
    config = config_copy(tmp_path / "config", feed_page_size=1)
    record = catalog / "acme/credentials/teamwork.yml"
    feed, before = tmp_path / "site/api/v1/feed", {}

    def change() -> None:
        before.update({page.name: page.stat().st_ino for page in feed.glob("page-*.json")})
        record.write_text(OTHER.replace("Teamwork at", "Teamwork in"))

    report = assert_incremental_equals_clean(tmp_path, catalog, change, config_before=config)
    assert report.in_place
    after = {page.name: page.stat().st_ino for page in feed.glob("page-*.json")}
    assert len(before) >= 3  # one item a page: the first build's additions
    assert len(set(before) - set(after)) == 1 and len(set(after) - set(before)) == 1
    assert sum(after[name] != before[name] for name in set(after) & set(before)) <= 1
    first = json.loads((tmp_path / "site/api/v1/feed.json").read_text(encoding="utf-8"))
    assert [(item["_credcat"]["change"], item["_credcat"]["credential_id"]) for item in first["items"]] == [
        ("updated", "acme/teamwork")]  # the newest change on feed.json, in the site in place


def test_a_large_change_replaces_the_site_folder_whole(tmp_path, catalog, monkeypatch):
    """Past the in-place limit, unchanged files are linked into the build folder and the folder is swapped in."""
    import generator.outputs as outputs

    monkeypatch.setattr(outputs, "APPLY_MAX", 0)
    monkeypatch.setattr(outputs, "APPLY_SHARE", 0.0)
    site, record, before = tmp_path / "site", catalog / "acme/credentials/teamwork.yml", {}

    def edit() -> None:
        before["folder"] = site.stat().st_ino
        record.write_text(OTHER.replace("Teamwork at", "Teamwork in"))

    report = assert_incremental_equals_clean(tmp_path, catalog, edit)
    assert not report.in_place and report.reused > 0
    assert site.stat().st_ino != before["folder"]


def test_a_build_stopped_while_updating_the_site_is_repaired_by_the_next(tmp_path, catalog, monkeypatch):
    """A build killed halfway through putting files in leaves no manifest: the next one makes the whole site again."""
    import generator.outputs as outputs

    site = tmp_path / "site"
    run(site, catalog)
    state = (site / "api/v1/changes/state.json").read_bytes()
    (catalog / "acme/credentials/teamwork.yml").unlink()
    write_files(catalog, {"beta/credentials/sql-basics.yml": BETA.replace("Python for Analysts", "SQL Basics")})
    real_replace, calls = outputs.os.replace, []

    def dying_replace(source, target):
        if str(target).startswith(f"{site}/"):  # a new file going into the site
            calls.append(target)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as if the process were stopped here
        real_replace(source, target)

    monkeypatch.setattr(outputs.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        run(site, catalog)
    monkeypatch.setattr(outputs.os, "replace", real_replace)
    assert len(calls) == 3  # it did stop while putting files in
    assert (site / "api/v1/changes/state.json").read_bytes() == state  # the change state goes in last
    published = tmp_path / "published"
    shutil.copytree(site, published, symlinks=True)
    repaired = run(site, catalog)
    assert repaired.reused == 0 and not repaired.in_place
    assert digest(site) == digest(_clean_copy(tmp_path, catalog, published))


def test_a_file_edited_in_the_site_is_made_again(tmp_path, catalog):
    """The cache trusts a file of the last site only while it is the one that build wrote."""
    site = tmp_path / "site"
    run(site, catalog)
    page = site / "credentials/acme/teamwork/index.html"
    export = site / "api/v1/ctdl/acme/teamwork.jsonld"  # a feeds file: kept or made with its credential's others
    for tampered in (page, export):
        tampered.write_text("tampered", encoding="utf-8")
    run(site, catalog)
    assert page.read_text(encoding="utf-8") != "tampered" and export.read_text(encoding="utf-8") != "tampered"
    assert digest(site) == digest(_clean_copy(tmp_path, catalog, site))


def test_the_site_check_finds_each_file_changed_since_the_last_build(tmp_path, catalog):
    """SiteCheck stats the last site's files in a forked process from the start of the build: the one
    edited by hand, the one removed and the one replaced are found; every other is untouched."""
    from generator.outputs import Manifest, SiteCheck

    site = tmp_path / "site"
    run(site, catalog)
    cache = Path(os.environ["CREDCAT_CACHE_DIR"])  # conftest's, for every build a test makes
    edited, removed, replaced = ("credentials/acme/teamwork/index.html", "api/v1/credentials/acme/teamwork.json",
                                 "credentials/beta/python-for-analysts/index.html")
    (site / edited).write_text("tampered", encoding="utf-8")
    (site / removed).unlink()
    text = (site / replaced).read_bytes()
    (site / replaced).unlink()
    (site / replaced).write_bytes(text)  # the same bytes, another file
    check = SiteCheck(cache, site)
    data, untouched = check.result()
    manifest = Manifest.load(data, str(site.resolve()))
    assert untouched is not None and len(untouched) == len(manifest) > 50
    changed = {rel for i, rel in enumerate(manifest) if not untouched[i]}
    assert changed == {edited, removed, replaced}
    check.close()  # nothing left to stop


def test_keeping_each_page_as_made_in_one_pass_answers_as_one_by_one(tmp_path, catalog):
    """keep_each_as_made (the render stage's pass over every credential page) gives keep_as_made's answer for each
    file, with SiteCheck's answer and with a stat of each: none for a file changed, removed or never made."""
    from generator.outputs import OutputReuse, SiteCheck

    site = tmp_path / "site"
    run(site, catalog)
    cache = Path(os.environ["CREDCAT_CACHE_DIR"])
    edited, removed = "credentials/acme/teamwork/index.html", "credentials/beta/python-for-analysts/index.html"
    (site / edited).write_text("tampered", encoding="utf-8")
    (site / removed).unlink()
    (tmp_path / "staging").mkdir()
    for check in (SiteCheck(cache, site), None):
        reuse = OutputReuse(cache, site, tmp_path / "staging", check=check)
        assert (reuse.untouched is not None) == (check is not None)
        rels = [*reuse.old, "credentials/nobody/index.html"]
        found = reuse.keep_each_as_made(rels)
        assert found == [reuse.keep_as_made(rel) for rel in rels]
        missing = {rel for rel, entry in zip(rels, found) if entry is None}
        assert {edited, removed, "credentials/nobody/index.html"} <= missing
        assert "credentials/acme/data-analysis/index.html" not in missing and len(missing) < len(rels) // 2


def test_an_incremental_build_takes_the_site_check_s_answer_and_stats_itself_beside_other_threads(
        tmp_path, catalog, monkeypatch):
    """The build's keep() answers from SiteCheck's forked process; where it may not fork (another thread runs, as in
    `credcat serve`), it stats each file itself, and keeps the same files."""
    import threading

    from generator.outputs import OutputReuse

    made: list[OutputReuse] = []
    real_init = OutputReuse.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(OutputReuse, "__init__", init)
    site = tmp_path / "site"
    run(site, catalog)
    run(site, catalog)  # the change feed settles: from here on, every build keeps the same files
    forked = run(site, catalog)
    assert made[-1].untouched is not None and len(made[-1].untouched) == len(made[-1].old) > 50
    assert all(made[-1].untouched)  # nothing touched since the last build
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        alone = run(site, catalog)
    finally:
        stop.set()
        other.join()
    assert made[-1].untouched is None
    assert alone.reused == forked.reused > 0


def test_clean_ignores_a_damaged_cache(tmp_path, catalog, monkeypatch):
    cache = tmp_path / "damaged-cache"
    cache.mkdir()
    (cache / "records.sqlite").write_bytes(b"not a database")
    (cache / "outputs.pickle").write_bytes(b"not a pickle")
    monkeypatch.setenv("CREDCAT_CACHE_DIR", str(cache))
    report = run(tmp_path / "site", catalog)  # a damaged cache is thrown away, not trusted
    assert report.credentials > 0 and report.reused == 0
    again = run(tmp_path / "site", catalog)
    assert again.reused > 0
    (cache / "outputs.pickle").write_bytes(b"not a pickle either")  # beside a site this time (SiteCheck reads it)
    assert run(tmp_path / "site", catalog).reused == 0
    for size in (10, 3000):  # a manifest cut short
        run(tmp_path / "site", catalog)
        whole = (cache / "outputs.pickle").read_bytes()
        (cache / "outputs.pickle").write_bytes(whole[:size])
        assert run(tmp_path / "site", catalog).reused == 0


def test_cached_build_is_the_same_with_one_or_two_processes(tmp_path, catalog, monkeypatch):
    import generator.render as render
    import generator.validate as validate

    monkeypatch.setattr(render, "PARALLEL_MIN", 1)
    monkeypatch.setattr(validate, "PARALLEL_MIN", 1)
    one = run(tmp_path / "one", catalog, jobs=1, clean=True)
    two = run(tmp_path / "two", catalog, jobs=2, clean=True)
    assert one.pages == two.pages
    assert digest(tmp_path / "one") == digest(tmp_path / "two")


def test_the_writers_stamp_what_they_write_so_the_manifest_stats_only_the_rest(tmp_path, catalog, monkeypatch):
    """Pages, documents, exports and search files carry the stat their writer took (worker processes
    included); the end of the build stats only the few files written otherwise (MkDocs', the change feed)."""
    import generator.feeds.chunks as chunks
    import generator.render as render
    from generator.outputs import MADE, OutputReuse

    for module in (render, chunks):
        monkeypatch.setattr(module, "PARALLEL_MIN", 1)
    entries: dict[str, object] = {}
    real_save = OutputReuse.save

    def save(self):
        entries.update(self.new)
        real_save(self)  # conftest's wrapper around it checks every stat in the manifest against the file's

    monkeypatch.setattr(OutputReuse, "save", save)
    report = run(tmp_path / "site", catalog, jobs=2, clean=True)
    stamped = {rel for rel, entry in entries.items() if isinstance(entry, bytes) and len(entry) == MADE}
    made_by_stages = {rel for rel in entries if rel.startswith(("credentials/", "api/v1/credentials/", "api/v1/ctdl/",
                                                                "api/v1/ob3/", "api/v1/schemaorg/", "search/index/"))
                      and rel != "credentials/index.html"}
    assert len(made_by_stages) > 5 * report.credentials
    assert made_by_stages - stamped == set()
    # and a second build, nothing changed, keeps each of them by that stat
    again = run(tmp_path / "site", catalog, jobs=2)
    assert again.reused >= len(made_by_stages)


def _clean_copy(tmp_path: Path, catalog: Path, site: Path) -> Path:
    out = tmp_path / "clean-copy"
    run(out, catalog, clean=True, previous=str(site))
    return out


def test_the_record_key_covers_every_module_checking_imports():
    """Stored records are keyed by the checking modules' code: that list must include all they import."""
    import re

    from generator.cache import CHECKING_CODE

    generator = REPO / "generator"
    for name in CHECKING_CODE:
        source = (generator / name).read_text(encoding="utf-8")
        for module in re.findall(r"^from \.(\w+) import", source, flags=re.M):
            assert f"{module}.py" in CHECKING_CODE, f"{name} imports {module}, which is not in CHECKING_CODE"


def test_ci_gets_one_plain_line_per_stage(tmp_path, catalog, monkeypatch):
    from site_support import build as cli_build

    monkeypatch.setenv("CI", "true")
    result = cli_build(tmp_path / "site", catalog=catalog)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    stages = [line.split(":")[0] for line in lines[:-1]]
    assert stages == ["Checking records", "Checking the last site", "Building narrative pages (MkDocs)",
                      "Rendering pages", "Indexing for search", "Writing feeds", "Writing the sitemap",
                      "Updating the site"]
    for line in lines[:-1]:  # every stage over the records counts each of them once
        if not line.startswith(("Checking the last site", "Building narrative", "Writing the sitemap", "Updating the site")):
            assert ": 5 of 5 in " in line, line
    assert lines[-1].startswith("Built 5 credentials") and "reused" not in lines[-1]
    again = cli_build(tmp_path / "site", catalog=catalog).output.strip().splitlines()[-1]
    assert again.startswith("Built 5 credentials") and " unchanged files reused from the last build." in again


def test_cache_dir_setting_places_the_cache_beside_the_config(tmp_path, catalog, monkeypatch):
    monkeypatch.delenv("CREDCAT_CACHE_DIR")
    config = config_copy(tmp_path / "project", cache_dir="my-cache")
    run(tmp_path / "site", catalog, config)
    assert {p.name for p in (tmp_path / "project/my-cache").iterdir()} >= {"records.sqlite", "outputs.pickle"}


def test_related_answers_are_kept_only_while_what_they_are_chosen_from_is_unchanged(tmp_path, catalog):
    """The render stage keeps each page's related credentials between builds under RelatedIndex.inputs_key."""
    from generator.catalog import read_catalog
    from generator.render.related import RelatedIndex

    def keys() -> dict[str, bytes]:
        index = RelatedIndex(read_catalog(catalog, AS_OF))
        return {cred.id: index.inputs_key(cred) for cred in index.catalog.credentials}

    before = keys()
    teamwork = catalog / "acme/credentials/teamwork.yml"
    teamwork.write_text(OTHER.replace("Working well in a team.", "Working well in a team, in person."))
    assert keys() == before  # a description does not change who is related to whom
    write_files(catalog, {"beta/credentials/sql-basics.yml": BETA.replace("Python for Analysts", "SQL Basics")})
    after = keys()
    sql_holders = {"beta/python-for-analysts"}  # BETA teaches python and sql
    for cid, key in before.items():
        if cid in sql_holders:
            assert after[cid] != key  # a new holder of its skills
    assert after["acme/teamwork"] == before["acme/teamwork"]  # teamwork and communication: untouched
    teamwork.write_text(OTHER.replace("[teamwork, communication]", "[teamwork, python]"))
    assert keys()["beta/python-for-analysts"] != after["beta/python-for-analysts"]


def test_after_a_small_change_the_render_stage_keeps_what_stands_before_forking(tmp_path, catalog, monkeypatch):
    """The build process itself keeps the pages that stand; the tasks get only the rest, and no workers for a few."""
    import generator.processes as processes
    import generator.render as render

    monkeypatch.setattr(render, "PARALLEL_MIN", 5)  # the catalog has 5 credentials
    calls: list[tuple[int, list[str], list[str]]] = []  # (workers, credential pages, other pages) of each render stage
    work: list[int] = []
    real_run = processes.run

    def spy(job, tasks, jobs, *args, **kwargs):
        if job is render._render_task:
            assert render._JOB is not None
            creds = render._JOB.catalog.credentials
            ids = [creds[i].id for kind, first, stop in tasks if kind == "credentials"
                   for i in render._JOB.todo[first:stop]]
            groups = render.page_groups(render._JOB.catalog, render._JOB.config)
            paths = [spec.path for kind, first, stop in tasks if kind == "groups"
                     for i, numbers in render._JOB.units[first:stop]
                     for spec in render._JOB.ready.get(i) or groups[i](pages=numbers)]
            calls.append((jobs, ids, paths))
            work.append(render._JOB.work)
        return real_run(job, tasks, jobs, *args, **kwargs)

    monkeypatch.setattr(processes, "run", spy)
    site = tmp_path / "site"
    run(site, catalog, jobs=2)
    workers, ids, paths = calls[-1]
    assert workers == 2 and len(ids) == 5 and "providers/acme/" in paths  # no last site: every page, in workers

    run(site, catalog, jobs=2)
    workers, ids, paths = calls[-1]
    # Nothing changed: only the group holding the page the search stage fills is left (the task keeps the others).
    assert (workers, ids, paths) == (1, [], ["stats/", "compare/", "search/"])

    published = tmp_path / "published"
    shutil.copytree(site, published, symlinks=True)
    teamwork = catalog / "acme/credentials/teamwork.yml"
    teamwork.write_text(OTHER.replace("Teamwork at Work", "Teamwork in Practice"))
    report = run(site, catalog, jobs=2)
    workers, ids, paths = calls[-1]
    assert work[-1] < work[0]
    assert "acme/teamwork" in ids and len(ids) < 5
    assert "providers/acme/" in paths and "search/" in paths  # its provider lists it by its title
    assert "providers/beta/" not in paths
    assert report.reused > 0
    run(tmp_path / "clean", catalog, clean=True, previous=str(published))
    assert digest(site) == digest(tmp_path / "clean")


def _beside(monkeypatch) -> list[bool]:
    """What each Beside.take of a build gave: True when its stage (search, then feeds) ran in its forked process."""
    from generator.build import Beside

    taken: list[bool] = []
    real_take = Beside.take

    def take(self):
        taken.append(real_take(self))
        return taken[-1]

    monkeypatch.setattr(Beside, "take", take)
    return taken


def test_after_a_small_change_search_and_feeds_run_in_forked_processes(tmp_path, catalog, monkeypatch):
    """Beside render, forked processes write the search index and the feeds; what they made and kept is the
    build's, and the site equals a clean build's."""
    taken = _beside(monkeypatch)
    record = catalog / "acme/credentials/teamwork.yml"
    report = assert_incremental_equals_clean(
        tmp_path, catalog, lambda: record.write_text(OTHER.replace("Teamwork at Work", "Teamwork in Practice")),
        jobs=2)
    assert taken == [True, True]  # the first build and the clean one have nothing to keep: no forked process
    # The forked processes' kept files count in the build's: the other credentials' documents and exports.
    kept_api = [p for p in (tmp_path / "site/api/v1/credentials").rglob("*.json") if "teamwork" not in p.name]
    assert report.reused > len(kept_api) + 2 * report.credentials
    document = json.loads((tmp_path / "site/api/v1/credentials/acme/teamwork.json").read_text(encoding="utf-8"))
    assert document["title"] == {"en": "Teamwork in Practice"}
    index = "".join(gzip.decompress(p.read_bytes()).decode("utf-8") for p in (tmp_path / "site/search").rglob("*.gz"))
    assert "practic" in index  # the new title's term (stemmed) is in the search index


def test_after_a_larger_change_every_stage_runs_in_the_build_process(tmp_path, catalog, monkeypatch):
    """More records checked anew, or more added or removed, than BESIDE_MAX, one process (--jobs 1), another global
    key (the config, a template): the stages run in turn, in the build process."""
    import generator.build

    taken = _beside(monkeypatch)
    site = tmp_path / "site"
    run(site, catalog, jobs=2)
    run(site, catalog, jobs=2)
    assert taken == [True, True]
    monkeypatch.setattr(generator.build, "BESIDE_MAX", 0)
    record = catalog / "acme/credentials/teamwork.yml"
    record.write_text(OTHER.replace("Teamwork at Work", "Teamwork in Practice"))
    run(site, catalog, jobs=2)
    assert taken == [True, True]  # one record checked anew, more than 0: no Beside made
    record.unlink()
    run(site, catalog, jobs=2)
    assert taken == [True, True]  # none checked anew, but one credential fewer than the last site's
    monkeypatch.setattr(generator.build, "BESIDE_MAX", 2000)
    run(site, catalog, jobs=1)
    assert taken == [True, True]  # one process asked for
    run(site, catalog, jobs=2, config=config_copy(tmp_path / "config", browse_page_size=2))
    assert taken == [True, True]  # another global key than the site's
    run(site, catalog, jobs=2, config=config_copy(tmp_path / "config", browse_page_size=2))
    assert taken == [True, True, True, True]  # the same again: a small change (none)


def test_a_user_error_in_a_forked_stage_stops_the_build_with_its_message(tmp_path, catalog, monkeypatch):
    from generator.feeds import PreviousBuildError

    taken = _beside(monkeypatch)
    site = tmp_path / "site"
    run(site, catalog, jobs=2)
    run(site, catalog, jobs=2)
    # The live site is the previous build the change feed compares with: one of a format we cannot read.
    meta = site / "api/v1/changes/state.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"format":1', '"format":99'), encoding="utf-8")
    before = digest(site)
    with pytest.raises(PreviousBuildError, match="format 99"):
        run(site, catalog, jobs=2)
    assert taken == [True, True, True]  # the build's search, then its feeds, whose take raised and gave nothing
    assert digest(site) == before  # the site as it was
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []  # no build folder left


@pytest.mark.parametrize("module, name", [("generator.search", "write_search_index"), ("generator.feeds", "write_feeds")])
def test_a_bug_in_a_forked_stage_is_raised_with_its_traceback(tmp_path, catalog, monkeypatch, module, name):
    import importlib

    site = tmp_path / "site"
    run(site, catalog, jobs=2)
    before = digest(site)

    def broken(*args, **kwargs):
        raise KeyError("a bug in a stage")

    monkeypatch.setattr(importlib.import_module(module), name, broken)
    with pytest.raises(KeyError, match="a bug in a stage") as raised:
        run(site, catalog, jobs=2)
    notes = "\n".join(getattr(raised.value, "__notes__", []))
    assert "forked process" in notes and "in broken" in notes  # where it was raised, over there
    assert digest(site) == before


def _signed(monkeypatch) -> list[str]:
    """The ids of the credential pages whose signature a build computes (render.credential_signature)."""
    import generator.render as render

    signed: list[str] = []
    real = render.credential_signature

    def spy(job, cred, related):
        signed.append(cred.id)
        return real(job, cred, related)

    monkeypatch.setattr(render, "credential_signature", spy)
    return signed


def _related_answers(site_cache: Path) -> dict[str, list[str]]:
    import marshal

    _, answers, _ = marshal.loads((site_cache / "related.marshal").read_bytes())
    return {cid: ids for cid, (_, ids) in answers.items()}


def test_pages_whose_inputs_are_unchanged_stand_by_the_marks_unsigned(tmp_path, catalog, monkeypatch):
    """After an edit, the build process signs only the pages the edited record is on; the others stand by the Marks."""
    monkeypatch.setenv("CREDCAT_CACHE_DIR", str(tmp_path / "cache"))
    site = tmp_path / "site"
    run(site, catalog, jobs=1)
    shown_on = {cid for cid, ids in _related_answers(tmp_path / "cache").items() if "acme/teamwork" in ids}
    assert shown_on and "beta/python-for-analysts" not in shown_on
    published = tmp_path / "published"
    shutil.copytree(site, published, symlinks=True)
    signed = _signed(monkeypatch)
    teamwork = catalog / "acme/credentials/teamwork.yml"
    teamwork.write_text(OTHER.replace("Working well in a team.", "Working well in a team, in person."))
    report = run(site, catalog, jobs=1)
    assert sorted(set(signed)) == sorted(shown_on | {"acme/teamwork"})  # its own page and those showing it
    assert report.reused > 0
    monkeypatch.setenv("CREDCAT_CACHE_DIR", str(tmp_path / "clean-cache"))  # a cache holds one site's manifest
    run(tmp_path / "clean", catalog, clean=True, previous=str(published))
    assert digest(site) == digest(tmp_path / "clean")
    monkeypatch.setenv("CREDCAT_CACHE_DIR", str(tmp_path / "cache"))
    signed.clear()
    run(site, catalog, jobs=1)
    assert signed == []  # nothing changed: every page stands unsigned


def _signed_pages(monkeypatch) -> list[str]:
    """The paths of the pages other than credentials' whose signature a build computes (render._kept_page)."""
    import generator.render as render

    signed: list[str] = []
    real = render._kept_page

    def spy(job, spec):
        signed.append(spec.path)
        return real(job, spec)

    monkeypatch.setattr(render, "_kept_page", spy)
    return signed


def test_lists_whose_credentials_are_unchanged_stand_by_the_marks_unsigned(tmp_path, catalog, monkeypatch):
    """After an edit, only the lists holding the edited record (and the pages that are not lists) are signed; a
    standing list's page that was changed by hand is made again."""
    import marshal

    from generator.catalog import read_catalog
    from generator.render.pages import list_sources

    monkeypatch.setenv("CREDCAT_CACHE_DIR", str(tmp_path / "cache"))
    site = tmp_path / "site"
    run(site, catalog, jobs=1)
    published = tmp_path / "published"
    shutil.copytree(site, published, symlinks=True)
    lists = marshal.loads((tmp_path / "cache/related.marshal").read_bytes())[2][5]  # Marks.lists
    sources = [source for source in list_sources(read_catalog(catalog, AS_OF)) if source is not None]
    assert sorted(lists) == sorted(prefix for prefix, _ in sources)
    holding = {prefix for prefix, creds in sources if "beta/python-for-analysts" in {cred.id for cred in creds}}
    assert {"providers/beta/", "browse/type/course/"} <= holding and "providers/acme/" not in holding
    not_lists = {"providers/", "skills/", "browse/", "stats/", "compare/", "search/"}
    signed = _signed_pages(monkeypatch)
    (catalog / "beta/credentials/python-for-analysts.yml").write_text(
        BETA.replace("Python and SQL for analysts.", "Python and SQL for analysts, with exercises."))
    (site / "providers/acme/index.html").write_text("changed by hand", encoding="utf-8")
    run(site, catalog, jobs=1)
    assert set(signed) == not_lists | holding | {"providers/acme/"}  # the page changed by hand is signed and made
    assert "with exercises" in (site / "providers/beta/index.html").read_text(encoding="utf-8")
    monkeypatch.setenv("CREDCAT_CACHE_DIR", str(tmp_path / "clean-cache"))
    run(tmp_path / "clean", catalog, clean=True, previous=str(published))
    assert digest(site) == digest(tmp_path / "clean")
    monkeypatch.setenv("CREDCAT_CACHE_DIR", str(tmp_path / "cache"))
    signed.clear()
    run(site, catalog, jobs=1)
    assert set(signed) == not_lists  # nothing changed: every list stands unsigned


def test_marks_of_a_build_that_did_not_make_the_site_are_not_trusted(tmp_path, catalog, monkeypatch):
    """A build stopped after its render stage wrote related.marshal leaves the site as it was: the next build
    must not take that build's Marks as the site's (they would say the edited pages are unchanged)."""
    import generator.sitemap as sitemap

    monkeypatch.setenv("CREDCAT_CACHE_DIR", str(tmp_path / "cache"))
    site = tmp_path / "site"
    run(site, catalog, jobs=1)
    published = tmp_path / "published"
    shutil.copytree(site, published, symlinks=True)
    program = catalog / "acme/credentials/data-program.yml"
    program.write_text(PROGRAM.replace("Data Program", "Data Science Program"))
    real_sitemap = sitemap.write_sitemap

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sitemap, "write_sitemap", stop)
    with pytest.raises(KeyboardInterrupt):
        run(site, catalog, jobs=1)
    assert digest(site) == digest(published)  # the site as it was
    monkeypatch.setattr(sitemap, "write_sitemap", real_sitemap)
    signed = _signed(monkeypatch)
    run(site, catalog, jobs=1)
    assert "acme/data-analysis" in signed  # it links to the program: signed again, not stood by the stopped build's Marks
    assert "Data Science Program" in (site / "credentials/acme/data-analysis/index.html").read_text(encoding="utf-8")
    monkeypatch.setenv("CREDCAT_CACHE_DIR", str(tmp_path / "clean-cache"))
    run(tmp_path / "clean", catalog, clean=True, previous=str(published))
    assert digest(site) == digest(tmp_path / "clean")


def test_a_manifest_from_before_the_related_hash_is_read_without_it(tmp_path, catalog, monkeypatch):
    """The last version's manifest (seven fields) still gives the site's files: the first build after an upgrade
    keeps what stands (only the Marks are not trusted yet)."""
    import pickle

    from generator.outputs import Manifest

    monkeypatch.setenv("CREDCAT_CACHE_DIR", str(tmp_path / "cache"))
    site = tmp_path / "site"
    run(site, catalog, jobs=1)
    file = tmp_path / "cache/outputs.pickle"
    fields = pickle.loads(file.read_bytes())
    assert len(fields) == 8 and fields[7]
    file.write_bytes(pickle.dumps(fields[:7], protocol=5))
    old = Manifest.load(file.read_bytes(), str(site.resolve()))
    assert len(old) > 0 and old.related == b""
    signed = _signed(monkeypatch)
    report = run(site, catalog, jobs=1)
    assert report.reused >= report.credentials and len(signed) == report.credentials  # kept, each signed


def test_a_damaged_or_foreign_related_file_is_ignored(tmp_path):
    """related.marshal as the last build wrote it is read back; anything else gives no answers and no Marks."""
    import marshal
    import pickle

    from generator.render import RELATED_FILE, _load_related, _save_related

    answers = {"acme/teamwork": (b"k" * 16, ["acme/a", "beta/b"])}
    site = _save_related(tmp_path, b"key", answers, None)
    assert _load_related(tmp_path, b"key", site) == (answers, None)
    assert _load_related(tmp_path, b"other key", site) == ({}, None)
    whole = (tmp_path / RELATED_FILE).read_bytes()
    for data in (whole[:len(whole) // 2], b"garbage", marshal.dumps([1, 2]), marshal.dumps((b"key", [], None)),
                 pickle.dumps((b"key", answers, None))):  # cut short, not marshal, the wrong shape, an earlier pickle
        (tmp_path / RELATED_FILE).write_bytes(data)
        assert _load_related(tmp_path, b"key", site) == ({}, None)


def _stands_by_asking_each_page(last, now, catalog, related: dict) -> set[str]:
    """The pages that stand, by the rule _standing states, asked of each page in turn (the reference)."""
    gone = [cid for cid in last.records if cid not in now.records]
    changed = {cid for cid, fp in now.records.items() if last.records.get(cid) != fp} | set(gone)
    providers = {pid for pid, fp in now.providers.items() if last.providers.get(pid) != fp}
    changed |= {cred.id for cred in catalog.credentials if cred.provider.id in providers}
    skills = {sid for sid in last.heads.keys() | now.heads.keys() if last.heads.get(sid) != now.heads.get(sid)}
    linked_to = {cid for old, new in ((last.part_of_reverse, now.part_of_reverse),
                                      (last.leads_to_reverse, now.leads_to_reverse))
                 for cid in old.keys() | new.keys() if old.get(cid) != new.get(cid)}
    standing = set()
    for cred in catalog.credentials:
        shown = related.get(cred.id, (None, []))[1]
        if (cred.id in changed or cred.id in linked_to or not changed.isdisjoint(shown)
                or any(skill.id in skills for skill in cred.skills if skill.id)
                or not changed.isdisjoint(cred.part_of) or not changed.isdisjoint(cred.leads_to)
                or not changed.isdisjoint(now.part_of_reverse.get(cred.id, ()))
                or not changed.isdisjoint(now.leads_to_reverse.get(cred.id, ()))):
            continue
        standing.add(cred.id)
    return standing


def test_the_pages_found_unsure_from_what_changed_are_those_the_rule_finds_page_by_page():
    """_standing finds the pages that may not stand from the changes (lists, links, related answers); over random
    changes to the bundled catalog (which has part_of and leads_to links) it must agree with the rule page by page."""
    import random
    from types import SimpleNamespace

    from generator.cache import Fingerprints
    from generator.catalog import read_catalog
    from generator.config import Config
    from generator.render import Marks, _changes, _standing, marks_of, related_index

    catalog = read_catalog(Path(__file__).resolve().parents[1] / "catalog", "2026-11-29")
    index = related_index(catalog)
    now = marks_of(catalog, Config(), Fingerprints(catalog.fingerprints), index)
    assert now is not None and any(cred.part_of for cred in catalog.credentials) \
        and any(cred.leads_to for cred in catalog.credentials)
    related = {cred.id: (b"", [other.id for other in index.related(cred)]) for cred in catalog.credentials}
    ids, pids, sids = sorted(now.records), sorted(now.providers), sorted(now.heads)
    linked = sorted(now.part_of_reverse) + sorted(now.leads_to_reverse)
    for seed in range(60):
        rng = random.Random(seed)
        records, providers, heads = dict(now.records), dict(now.providers), dict(now.heads)
        part_of, leads_to = dict(now.part_of_reverse), dict(now.leads_to_reverse)
        for cid in rng.sample(ids, rng.randint(0, 3)):  # edited
            records[cid] = b"before"
        for cid in rng.sample(ids, rng.randint(0, 1)):  # added since
            del records[cid]
        if rng.random() < 0.3:  # removed since
            records["gone/credential"] = b"gone"
        if rng.random() < 0.2:
            providers[rng.choice(pids)] = b"before"
        if rng.random() < 0.3:
            heads[rng.choice(sids)] = b"before"
        if rng.random() < 0.3:
            target = rng.choice(linked)
            (part_of if target in part_of else leads_to)[target] = ["someone/else"]
        last = Marks(records, providers, heads, part_of, leads_to, now.lists)
        job = SimpleNamespace(last=last, marks=now, catalog=catalog, related=related,
                              changed=_changes(last, now, catalog))
        unsure = _standing(job)
        found = {cred.id for cred in catalog.credentials if cred.id not in unsure}
        assert found == _stands_by_asking_each_page(last, now, catalog, related), seed
