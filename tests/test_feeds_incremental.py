"""The feeds stage with the build cache: after one edit, only the API files that show the edited record are made again.

A site is built, kept as the published copy, one record is edited, and the site is built again
incrementally; a clean build against the copy gives the reference. Files the edit leaves alone
must still be the very files in the site (same inode), the stage must not even write them into
the build folder, and the tree must equal the clean build's byte for byte.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.build import build, swap
from generator.cache import ResultStore
from generator.catalog import read_catalog
from generator.config import Config
from generator.feeds import write_feeds
from generator.outputs import OutputReuse
from site_support import config_copy, digest
from test_feeds import AS_OF, catalog_files, simple

EDITED = "acme/team-lead"
EDIT = simple("team-lead", "Team Leadership", "certification", "EQF 6", "2026-07-01")


def inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in (site / "api/v1").rglob("*") if p.is_file()}


def list_pages(site: Path) -> list[str]:
    api = site / "api/v1"
    found = [*api.glob("credentials/page-*.json"), *api.glob("providers/*/page-*.json"), *api.glob("provider-list/page-*.json")]
    return sorted(p.relative_to(site).as_posix() for p in found)


def shows(site: Path, rel: str, cred_id: str) -> bool:
    return any(item["id"] == cred_id for item in json.loads((site / rel).read_text(encoding="utf-8"))["items"])


def test_an_edit_keeps_the_list_pages_and_documents_it_does_not_touch(tmp_path, catalog_dir):
    catalog = catalog_dir(catalog_files())
    config = config_copy(tmp_path / "config", api_page_size=2)  # five credentials: three pages, two for acme
    site, published = tmp_path / "site", tmp_path / "published"
    build(config, catalog=catalog, out=site, as_of=AS_OF)
    shutil.copytree(site, published)
    before = inodes(site)

    (catalog / "acme/credentials/team-lead.yml").write_text(EDIT, encoding="utf-8")
    report = build(config, catalog=catalog, out=site, as_of=AS_OF)
    build(config, catalog=catalog, out=tmp_path / "clean", as_of=AS_OF, clean=True, previous=str(published))

    assert digest(site) == digest(tmp_path / "clean")
    assert report.in_place
    after = inodes(site)
    pages = list_pages(site)
    touched = [rel for rel in pages if shows(site, rel, EDITED)]
    assert touched == ["api/v1/credentials/page-2.json", "api/v1/providers/acme/page-2.json"]
    # Every other list page is the file the first build wrote; the two showing the edit are new.
    assert len(pages) == 7 and [rel for rel in pages if after[rel] == before[rel]] == sorted(set(pages) - set(touched))
    assert all(after[rel] != before[rel] for rel in touched)
    # The other credentials' documents and exports (made in the same chunk) and the provider documents stand too.
    documents = [rel for rel in before if rel.startswith(("api/v1/credentials/acme/", "api/v1/credentials/beta/",
                                                          "api/v1/ctdl/", "api/v1/ob3/", "api/v1/schemaorg/"))]
    assert len(documents) == 5 * 4
    assert sorted(rel for rel in documents if after[rel] != before[rel]) == [
        "api/v1/credentials/acme/team-lead.json", "api/v1/ctdl/acme/team-lead.jsonld",
        "api/v1/ob3/acme/team-lead.jsonld", "api/v1/schemaorg/acme/team-lead.jsonld"]
    assert after["api/v1/providers/acme.json"] == before["api/v1/providers/acme.json"]
    assert json.loads((site / "api/v1/credentials/acme/team-lead.json").read_text())["title"] == {"en": "Team Leadership"}


def feeds_stage(catalog: Path, site: Path, cache: Path, jobs: int, clean: bool = False, **settings) -> list[str]:
    """The feeds stage with the cache into a fresh build folder, its files put into `site`; returns what it wrote."""
    config = Config(site_dir=site, api_page_size=2, **settings)
    staging = site.parent / "building"
    staging.mkdir()
    reuse = OutputReuse(cache, site, staging, clean=clean)
    reuse.key = b"test"  # the global key, as the build sets it
    results = ResultStore(cache, "feeds", clean=clean)
    write_feeds(read_catalog(catalog, AS_OF), config, staging, jobs=jobs, reuse=reuse, key=b"test", results=results)
    results.commit()
    results.close()
    written = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    reuse.finish(swap)
    reuse.save()
    return written


@pytest.mark.parametrize("chunk, jobs", [(1000, 1), (2, 2)])  # one chunk in this process; chunks of ~2 on workers
def test_after_an_edit_the_stage_writes_only_what_shows_it(tmp_path, catalog_dir, monkeypatch, chunk, jobs):
    from generator.feeds import chunks

    monkeypatch.setattr(chunks, "CHUNK", chunk)
    monkeypatch.setattr(chunks, "PARALLEL_MIN", 0)
    catalog = catalog_dir(catalog_files())
    site, cache = tmp_path / "site", tmp_path / "cache"
    first = feeds_stage(catalog, site, cache, jobs, clean=True)
    assert len(first) > 40
    (catalog / "acme/credentials/team-lead.yml").write_text(EDIT, encoding="utf-8")
    assert feeds_stage(catalog, site, cache, jobs) == [
        "api/v1/bulk/credentials.ndjson.gz", "api/v1/bulk/ctdl.ndjson.gz", "api/v1/bulk/ob3.ndjson.gz",
        "api/v1/bulk/schemaorg.ndjson.gz",
        "api/v1/changes/log.ndjson.gz", "api/v1/changes/state.json", "api/v1/changes/state.ndjson.gz",
        "api/v1/credentials/acme/team-lead.json", "api/v1/credentials/page-2.json",
        "api/v1/ctdl/acme/team-lead.jsonld", "api/v1/feed.json", "api/v1/index.json",
        "api/v1/ob3/acme/team-lead.jsonld", "api/v1/providers/acme/page-2.json",
        "api/v1/schemaorg/acme/team-lead.jsonld"]
    # Nothing changed since: only the change log and state are written (assembled whole every time, and kept at
    # the end when their bytes are the same) and index.json (this build's counts: none); the bulk files and the
    # feed's pages (kept by their text) stand.
    assert feeds_stage(catalog, site, cache, jobs) == [
        "api/v1/changes/log.ndjson.gz", "api/v1/changes/state.json", "api/v1/changes/state.ndjson.gz",
        "api/v1/index.json"]


def test_without_the_result_store_the_kept_files_are_read_back(tmp_path, catalog_dir):
    """A lost result store: chunks are made again from the site's kept files, which stay; the API equals a clean build's."""
    catalog = catalog_dir(catalog_files())
    site, cache, published = tmp_path / "site", tmp_path / "cache", tmp_path / "published"
    feeds_stage(catalog, site, cache, jobs=1, clean=True)
    shutil.copytree(site, published)
    (cache / "feeds.sqlite").unlink()
    (catalog / "acme/credentials/team-lead.yml").write_text(EDIT, encoding="utf-8")
    written = feeds_stage(catalog, site, cache, jobs=1)
    assert [rel for rel in written if "/credentials/" in rel or rel.endswith(".jsonld")] == [
        "api/v1/credentials/acme/team-lead.json", "api/v1/credentials/page-2.json", "api/v1/ctdl/acme/team-lead.jsonld",
        "api/v1/ob3/acme/team-lead.jsonld", "api/v1/schemaorg/acme/team-lead.jsonld"]
    clean = tmp_path / "clean"
    write_feeds(read_catalog(catalog, AS_OF), Config(site_dir=site, api_page_size=2, previous=str(published)), clean)
    assert digest(site / "api") == digest(clean / "api")


def test_after_a_small_change_the_chunks_are_checked_and_made_without_workers(tmp_path, catalog_dir, monkeypatch):
    """Workers only when the chunks the result store lacks hold PARALLEL_MIN credentials; the output is the same."""
    from generator import processes
    from generator.feeds import chunks

    monkeypatch.setattr(chunks, "CHUNK", 2)  # chunks: data-analysis and old-badge; sql-basics and team-lead; resilience
    monkeypatch.setattr(chunks, "PARALLEL_MIN", 3)
    workers: list[int] = []
    real_run = processes.run

    def spy(job, tasks, jobs, *args, **kwargs):
        if job is chunks._chunk_task:
            workers.append(jobs)
        return real_run(job, tasks, jobs, *args, **kwargs)

    monkeypatch.setattr(processes, "run", spy)
    catalog = catalog_dir(catalog_files())
    site, cache = tmp_path / "site", tmp_path / "cache"
    feeds_stage(catalog, site, cache, 2, clean=True)
    assert workers == [2]  # nothing stored: all five credentials to make
    (catalog / "acme/credentials/team-lead.yml").write_text(EDIT, encoding="utf-8")
    written = feeds_stage(catalog, site, cache, 2)
    assert workers == [2, 1]  # one chunk of two credentials to make again: in this process
    assert "api/v1/credentials/acme/team-lead.json" in written and "api/v1/credentials/acme/sql-basics.json" not in written
    assert json.loads((site / "api/v1/credentials/acme/team-lead.json").read_text())["title"]["en"] == "Team Leadership"

    clean_site = tmp_path / "clean-site"
    feeds_stage(catalog, clean_site, tmp_path / "clean-cache", 1, clean=True)
    assert digest(clean_site / "api/v1/bulk") == digest(site / "api/v1/bulk")
    assert digest(clean_site / "api/v1/credentials") == digest(site / "api/v1/credentials")


def test_after_an_edit_the_change_state_and_log_copy_the_members_it_leaves_alone(tmp_path, catalog_dir, monkeypatch):
    """Only the members of the change state and log whose lines the edit touched are compressed again."""
    from generator.feeds import writer

    monkeypatch.setattr(writer, "MEMBER_CUT", 2)  # about one member per two lines, so five credentials make several
    compressed: list[bytes] = []
    real = writer.gzip_member
    monkeypatch.setattr(writer, "gzip_member", lambda data: compressed.append(data) or real(data))
    catalog = catalog_dir(catalog_files())
    site, cache, published = tmp_path / "site", tmp_path / "cache", tmp_path / "published"
    feeds_stage(catalog, site, cache, jobs=1, clean=True)
    shutil.copytree(site, published)
    members = {rel: len(_gzip_members(site / rel)) for rel in ("api/v1/changes/state.ndjson.gz", "api/v1/changes/log.ndjson.gz")}
    assert min(members.values()) >= 2
    compressed.clear()
    (catalog / "acme/credentials/team-lead.yml").write_text(EDIT, encoding="utf-8")
    feeds_stage(catalog, site, cache, jobs=1)
    # state: the edited line's member; log: the new item's member (the newest first) and the one that lost its old item
    assert 1 <= len(compressed) <= 3 < sum(members.values())
    assert any(EDITED.encode() in data for data in compressed)
    clean = tmp_path / "clean"
    write_feeds(read_catalog(catalog, AS_OF), Config(site_dir=site, api_page_size=2, previous=str(published)), clean)
    assert digest(site / "api") == digest(clean / "api")


def _gzip_members(path: Path) -> list[bytes]:
    import zlib

    data, texts = path.read_bytes(), []
    while data:
        inflate = zlib.decompressobj(31)
        texts.append(inflate.decompress(data))
        data = inflate.unused_data
    return texts


def test_after_an_edit_only_the_bulk_run_of_the_edited_credential_is_compressed_again(tmp_path, catalog_dir, monkeypatch):
    """A chunk's bulk members are cut into runs by their credentials' ids; the runs without a changed credential are
    copied from the last build's result, and the bulk files equal a clean build's."""
    import gzip
    import zlib

    from generator.feeds import chunks, writer

    monkeypatch.setattr(chunks, "CHUNK", 1000)  # one chunk: the edited one
    monkeypatch.setattr(chunks, "BULK_RUN", 2)  # runs of about two credentials
    made: list[bytes] = []
    real = writer.GzipMember.finish
    monkeypatch.setattr(writer.GzipMember, "finish", lambda self: made.append(real(self)) or made[-1])
    catalog = catalog_dir(catalog_files())
    site, cache, published = tmp_path / "site", tmp_path / "cache", tmp_path / "published"
    feeds_stage(catalog, site, cache, jobs=1, clean=True)
    shutil.copytree(site, published)
    bulk = site / "api/v1/bulk/credentials.ndjson.gz"
    runs = _gzip_members(bulk)
    assert 2 <= len(runs) < 5  # five credentials
    for run in runs[:-1]:  # each run but the last ends after an id whose CRC-32 is 0 modulo BULK_RUN
        last_id = json.loads(run.decode().splitlines()[-1])["id"]
        assert zlib.crc32(last_id.encode()) % 2 == 0
    made.clear()
    (catalog / "acme/credentials/team-lead.yml").write_text(EDIT, encoding="utf-8")
    feeds_stage(catalog, site, cache, jobs=1)
    assert len(made) == 4  # the edited credential's run, in each of the four bulk files
    assert all(EDITED.encode() in gzip.decompress(member) for member in made)
    clean = tmp_path / "clean"
    write_feeds(read_catalog(catalog, AS_OF), Config(site_dir=site, api_page_size=2, previous=str(published)), clean)
    assert digest(site / "api") == digest(clean / "api")


def test_after_an_edit_the_feed_pages_that_show_the_same_items_are_kept_unmade(tmp_path, catalog_dir, monkeypatch):
    """An archived feed page of the site with the same number, items and next page is kept without making its text;
    exactly the pages whose bytes change are made (and feed.json); the feed equals a clean build's."""
    from generator.feeds import changes

    catalog = catalog_dir(catalog_files())
    site, cache, published = tmp_path / "site", tmp_path / "cache", tmp_path / "published"
    # Five items, newest first: data-analysis on feed.json, then pages 4 to 1: sql-basics, team-lead, resilience, old-badge.
    feeds_stage(catalog, site, cache, jobs=1, clean=True, feed_page_size=1)
    shutil.copytree(site, published)
    before = {p.name: p.read_bytes() for p in (site / "api/v1/feed").glob("page-*.json")}
    assert sorted(before) == ["page-1.json", "page-2.json", "page-3.json", "page-4.json"]
    made: list[str] = []
    real = changes._FeedPages._put
    monkeypatch.setattr(changes._FeedPages, "_put", lambda self, rel, text: made.append(rel) or real(self, rel, text))
    # resilience's new item goes on feed.json, data-analysis's on a new page 5; page 2 empties, so page 3 now links to 1.
    (catalog / "beta/credentials/resilience.yml").write_text(
        simple("resilience", "Resilience at Work, again", "learning-program", "beginner", "2026-06-30"), encoding="utf-8")
    feeds_stage(catalog, site, cache, jobs=1, feed_page_size=1)
    after = {p.name: p.read_bytes() for p in (site / "api/v1/feed").glob("page-*.json")}
    assert sorted(after) == ["page-1.json", "page-3.json", "page-4.json", "page-5.json"]
    changed = {f"api/v1/feed/{name}" for name, data in after.items() if before.get(name) != data}
    assert changed == {"api/v1/feed/page-3.json", "api/v1/feed/page-5.json"}
    assert sorted(made) == sorted(changed | {"api/v1/feed.json"})  # pages 1 and 4 kept unmade
    clean = tmp_path / "clean"
    write_feeds(read_catalog(catalog, AS_OF),
                Config(site_dir=site, api_page_size=2, feed_page_size=1, previous=str(published)), clean)
    assert digest(site / "api") == digest(clean / "api")
    # The site's change state rewritten since (the same bytes, another file): the pages are no longer trusted unmade.
    meta = site / "api/v1/changes/state.json"
    data = meta.read_bytes()
    meta.unlink()
    meta.write_bytes(data)
    made.clear()
    (catalog / "acme/credentials/team-lead.yml").write_text(EDIT, encoding="utf-8")
    feeds_stage(catalog, site, cache, jobs=1, feed_page_size=1)
    assert len([rel for rel in made if "/feed/page-" in rel]) == len(list((site / "api/v1/feed").glob("page-*.json")))
