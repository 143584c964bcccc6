"""The change feed across builds: additions, updates and tombstones since the previous build, and an
aggregator that follows the feed ending with exactly the new catalog."""
from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from generator.catalog import read_catalog
from generator.config import Config
from generator.feeds import PreviousBuildError, write_feeds
from test_feeds import AS_OF, _reader, catalog_files, simple

LATER = "2026-11-20"


def build(root: Path, out: Path, as_of: str = AS_OF, **settings):
    catalog = read_catalog(root, as_of)
    return write_feeds(catalog, Config(site_dir=out.parent / "no-live-site", **settings), out)


def edit_catalog(root: Path) -> None:
    """Remove one credential, change another (verified inside the interval), add a third."""
    (root / "acme/credentials/team-lead.yml").unlink()
    path = root / "acme/credentials/sql-basics.yml"
    path.write_text(path.read_text().replace("SQL Basics", "SQL Essentials").replace("2026-08-15", "2026-11-10"))
    (root / "beta/credentials/coaching.yml").write_text(simple("coaching", "Coaching Others", "course", "beginner", "2026-05-01"))


def feed_items(out: Path) -> list[dict]:
    items, path = [], out / "api/v1/feed.json"
    while True:
        page = json.loads(path.read_text())
        items += page["items"]
        if "next_url" not in page:
            return items
        path = out / page["next_url"].removeprefix("https://credcat.example/")


def bulk(out: Path) -> dict[str, dict]:
    with gzip.open(out / "api/v1/bulk/credentials.ndjson.gz", "rt") as fh:
        return {d["id"]: d for d in map(json.loads, fh)}


@pytest.fixture
def two_builds(catalog_dir, tmp_path):
    root = catalog_dir(catalog_files())
    first, second = tmp_path / "first", tmp_path / "second"
    build(root, first)
    edit_catalog(root)
    report = build(root, second, as_of=LATER, previous=str(first))
    return root, first, second, report


def test_newest_items_are_one_tombstone_one_update_one_addition(two_builds):
    _, first, second, report = two_builds
    new = [i for i in feed_items(second) if i["_credcat"]["sequence"] == 2]
    assert report.feed.changes == {"added": 1, "updated": 1, "removed": 1}
    assert {(i["_credcat"]["change"], i["_credcat"]["credential_id"]) for i in new} == {
        ("removed", "acme/team-lead"), ("updated", "acme/sql-basics"), ("added", "beta/coaching")}
    tombstone = next(i for i in new if i["_credcat"]["change"] == "removed")
    assert tombstone["_credcat"]["tombstone"] is True and tombstone["_credcat"]["document"] is None
    assert tombstone["title"] == "Removed: Team Lead"
    # the feed is newest first, and this build's items come before every older one
    items = feed_items(second)
    assert [i["_credcat"]["sequence"] for i in items] == sorted((i["_credcat"]["sequence"] for i in items), reverse=True)
    assert items[: len(new)] == new


def test_dates_are_when_content_changed_not_the_build_clock(two_builds):
    _, first, second, _ = two_builds
    firsts = {i["_credcat"]["credential_id"]: i for i in feed_items(first)}
    # a first build dates each addition by the record's last_verified
    assert firsts["acme/data-analysis"]["date_modified"] == "2026-10-01T00:00:00Z"
    assert firsts["acme/old-badge"]["date_modified"] == "2025-01-10T00:00:00Z"
    seconds = {i["_credcat"]["credential_id"]: i for i in feed_items(second)}
    # verified inside (previous as_of, as_of]: that date; otherwise the as_of that bounds the change
    assert seconds["acme/sql-basics"]["date_modified"] == "2026-11-10T00:00:00Z"
    assert seconds["acme/sql-basics"]["date_published"] == "2026-08-15T00:00:00Z"
    assert seconds["beta/coaching"]["date_modified"] == f"{LATER}T00:00:00Z"
    assert seconds["acme/team-lead"]["date_modified"] == f"{LATER}T00:00:00Z"
    # untouched items keep their id and dates byte for byte
    assert seconds["acme/data-analysis"] == firsts["acme/data-analysis"]


def test_same_inputs_give_the_same_feed(two_builds, tmp_path):
    root, first, second, _ = two_builds
    again = tmp_path / "again"
    build(root, again, as_of=LATER, previous=str(first))
    for rel in ("feed.json", "changes/log.ndjson.gz", "changes/state.ndjson.gz", "changes/state.json", "index.json"):
        assert (again / "api/v1" / rel).read_bytes() == (second / "api/v1" / rel).read_bytes(), rel
    # a build with nothing changed keeps the feed as it was
    unchanged = tmp_path / "unchanged"
    report = build(root, unchanged, as_of=LATER, previous=str(second))
    assert report.feed.changes == {"added": 0, "updated": 0, "removed": 0} and report.feed.sequence == 2
    assert (unchanged / "api/v1/feed.json").read_bytes() == (second / "api/v1/feed.json").read_bytes()


def test_an_aggregator_following_the_feed_ends_with_the_new_catalog(two_builds, serve_dir, tmp_path):
    _, first, second, _ = two_builds
    # the aggregator's copy after the first build: its bulk dump, and the sequence it has seen
    copy = bulk(first)
    seen = json.loads((first / "api/v1/index.json").read_text())["feed"]["sequence"]
    # the second build is published; the aggregator reads the feed with a real feed reader
    site = tmp_path / "published"
    shutil.copytree(second, site)
    base = serve_dir(site)
    reader = _reader()
    url = base + "api/v1/feed.json"
    done = False
    while url and not done:
        reader.add_feed(url)
        reader.update_feeds()
        entry_ids = {e.id for e in reader.get_entries(feed=url)}
        page = json.loads((site / url.removeprefix(base)).read_text())
        for item in page["items"]:
            assert item["id"] in entry_ids
            ext = item["_credcat"]
            if ext["sequence"] <= seen:
                done = True
                break
            if ext["change"] == "removed":
                copy.pop(ext["credential_id"], None)
            else:
                document = ext["document"].replace("https://credcat.example/", "")
                copy[ext["credential_id"]] = json.loads((site / document).read_text())
        url = page.get("next_url", "").replace("https://credcat.example/", base) or None
    assert copy == bulk(second)


def test_an_aggregator_starting_from_the_whole_first_feed_gets_there_too(two_builds):
    _, first, second, _ = two_builds
    ids = {i["_credcat"]["credential_id"] for i in feed_items(first) if i["_credcat"]["change"] != "removed"}
    assert ids == set(bulk(first))
    latest: dict[str, str] = {}
    for item in reversed(feed_items(second)):  # oldest first
        latest[item["_credcat"]["credential_id"]] = item["_credcat"]["change"]
    assert {k for k, v in latest.items() if v != "removed"} == set(bulk(second))


def test_the_feed_is_compacted_to_one_item_per_credential(two_builds, catalog_dir, tmp_path):
    root, _, second, _ = two_builds
    path = root / "acme/credentials/sql-basics.yml"
    path.write_text(path.read_text().replace("SQL Essentials", "SQL Essentials II"))
    third = tmp_path / "third"
    build(root, third, as_of="2026-11-25", previous=str(second))
    ids = [i["_credcat"]["credential_id"] for i in feed_items(third)]
    assert len(ids) == len(set(ids)) == 6  # 5 live credentials and one tombstone
    assert feed_items(third)[0]["_credcat"] | {"sequence": 3} == feed_items(third)[0]["_credcat"]


def test_previous_build_can_be_read_from_its_url(catalog_dir, tmp_path, serve_dir):
    root = catalog_dir(catalog_files())
    first = tmp_path / "first"
    build(root, first)
    edit_catalog(root)
    from_dir, from_url = tmp_path / "from-dir", tmp_path / "from-url"
    build(root, from_dir, as_of=LATER, previous=str(first))
    build(root, from_url, as_of=LATER, previous=serve_dir(first))
    assert (from_url / "api/v1/changes/log.ndjson.gz").read_bytes() == (from_dir / "api/v1/changes/log.ndjson.gz").read_bytes()


def test_a_previous_build_that_is_not_there_is_an_error(catalog_dir, tmp_path):
    root = catalog_dir(catalog_files())
    (tmp_path / "empty").mkdir()
    with pytest.raises(PreviousBuildError, match="no change state found"):
        build(root, tmp_path / "out", previous=str(tmp_path / "empty"))
    first = tmp_path / "first"
    build(root, first)
    meta = first / "api/v1/changes/state.json"
    meta.write_text(meta.read_text().replace('"format":1', '"format":99'))
    with pytest.raises(PreviousBuildError, match="format 99"):
        build(root, tmp_path / "out2", previous=str(first))


def test_the_live_site_is_the_default_previous_build(catalog_dir, tmp_path):
    root = catalog_dir(catalog_files())
    live = tmp_path / "site"
    write_feeds(read_catalog(root, AS_OF), Config(site_dir=live), live)
    edit_catalog(root)
    staging = tmp_path / ".site.building"
    report = write_feeds(read_catalog(root, LATER), Config(site_dir=live), staging)
    assert report.feed.sequence == 2 and report.feed.changes == {"added": 1, "updated": 1, "removed": 1}


def rewrite_lines(path: Path, transform) -> None:
    """Write a gzipped NDJSON file again, each line as `transform` makes it from the parsed value."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        values = [json.loads(line) for line in fh if line.strip()]
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("".join(transform(value) + "\n" for value in values))


def test_a_previous_build_written_another_way_is_read_the_same(catalog_dir, tmp_path):
    """The previous state and log are read as text where they are as credcat writes them; any other valid JSON is parsed."""
    root = catalog_dir(catalog_files())
    first = tmp_path / "first"
    build(root, first)
    other = tmp_path / "other"
    shutil.copytree(first, other)
    changes = other / "api/v1/changes"
    # Spaces, ASCII escapes, keys in another order, blank lines and CRLF: the same values.
    rewrite_lines(changes / "state.ndjson.gz", lambda v: json.dumps(dict(reversed(v.items()))) + "\r\n")
    rewrite_lines(changes / "log.ndjson.gz", lambda v: " " + json.dumps(v, ensure_ascii=True, indent=None) + "\n")
    edit_catalog(root)
    report = build(root, tmp_path / "from-first", as_of=LATER, previous=str(first))
    again = build(root, tmp_path / "from-other", as_of=LATER, previous=str(other))
    assert again.feed == report.feed and report.feed.changes == {"added": 1, "updated": 1, "removed": 1}
    assert feed_items(tmp_path / "from-other") == feed_items(tmp_path / "from-first")
    state = "api/v1/changes/state.ndjson.gz"
    with gzip.open(tmp_path / "from-other" / state, "rt") as a, gzip.open(tmp_path / "from-first" / state, "rt") as b:
        assert [json.loads(line) for line in a] == [json.loads(line) for line in b]


def test_a_previous_state_out_of_id_order_is_refused(catalog_dir, tmp_path):
    root = catalog_dir(catalog_files())
    first = tmp_path / "first"
    build(root, first)
    state = first / "api/v1/changes/state.ndjson.gz"
    with gzip.open(state, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    with gzip.open(state, "wt", encoding="utf-8") as fh:
        fh.write("\n".join([lines[1], lines[0], *lines[2:]]) + "\n")
    with pytest.raises(PreviousBuildError, match="not sorted by id"):
        build(root, tmp_path / "second", previous=str(first))


# --- archived pages ---------------------------------------------------------------------------------

def dated_catalog(n: int = 9) -> dict[str, str]:
    """n simple credentials verified a day apart: c1 the oldest item of a first build's feed, c<n> the newest."""
    files = {"acme/provider.yml": "name: Acme\nurl: https://acme.example\ncountry: France\n"}
    for i in range(1, n + 1):
        files[f"acme/credentials/c{i}.yml"] = simple(f"c{i}", f"Course {i}", verified=f"2026-09-{i:02d}")
    return files


def feed_pages(out: Path) -> dict[str, dict]:
    """Every page of the feed by file name, as followed from feed.json."""
    pages, rel = {}, "api/v1/feed.json"
    while rel:
        page = json.loads((out / rel).read_text())
        pages[rel.rpartition("/")[2]] = page
        rel = page.get("next_url", "").removeprefix("https://credcat.example/")
    return pages


def ids_of(page: dict) -> list[str]:
    return [item["_credcat"]["credential_id"] for item in page["items"]]


def retitle(root: Path, slug: str, title: str) -> None:
    path = root / f"acme/credentials/{slug}.yml"
    path.write_text(path.read_text().replace(f"title: Course {slug[1:]}\n", f"title: {title}\n"))


def test_archived_pages_keep_their_numbers_and_bytes_when_one_record_changes(catalog_dir, tmp_path):
    root = catalog_dir(dated_catalog())
    first, second = tmp_path / "first", tmp_path / "second"
    build(root, first, feed_page_size=2)
    pages = feed_pages(first)
    # 9 items: four archived pages of two, numbered from the oldest, and feed.json with the newest one
    assert list(pages) == ["feed.json", "page-4.json", "page-3.json", "page-2.json", "page-1.json"]
    assert ids_of(pages["feed.json"]) == ["acme/c9"] and ids_of(pages["page-1.json"]) == ["acme/c2", "acme/c1"]
    assert pages["page-1.json"]["_credcat"] == {"about": "https://credcat.example/api/#change-feed", "page": 1,
                                                "archived": True,
                                                "schema": "https://credcat.example/api/v1/schemas/feed.schema.json"}
    assert pages["feed.json"]["_credcat"]["page"] == 5 and pages["feed.json"]["_credcat"]["sequence"] == 1
    retitle(root, "c1", "Course One")  # its item was on the oldest page
    build(root, second, as_of=LATER, feed_page_size=2, previous=str(first))
    after = feed_pages(second)
    assert list(after) == list(pages)
    assert ids_of(after["feed.json"]) == ["acme/c1", "acme/c9"] and ids_of(after["page-1.json"]) == ["acme/c2"]
    for name in ("page-2.json", "page-3.json", "page-4.json"):  # untouched by the change: the very same bytes
        rel = f"api/v1/feed/{name}"
        assert (second / rel).read_bytes() == (first / rel).read_bytes()
    meta = json.loads((second / "api/v1/changes/state.json").read_text())
    assert meta["feed_pages"] == {"page_size": 2, "head": 2, "archive": [[4, 2], [3, 2], [2, 2], [1, 1]]}


def test_a_full_feed_json_passes_its_oldest_items_to_a_new_page_and_an_emptied_page_goes(catalog_dir, tmp_path):
    root = catalog_dir(dated_catalog())
    builds = [tmp_path / f"b{n}" for n in range(4)]
    build(root, builds[0], feed_page_size=2)
    retitle(root, "c1", "Course One")
    build(root, builds[1], as_of=LATER, feed_page_size=2, previous=str(builds[0]))
    retitle(root, "c2", "Course Two")  # the last item of page 1
    build(root, builds[2], as_of="2026-11-25", feed_page_size=2, previous=str(builds[1]))
    pages = feed_pages(builds[2])
    # feed.json had c1, c9 and takes c2: three items, so its oldest two go to a new page 5; page 1 is empty and left out
    assert list(pages) == ["feed.json", "page-5.json", "page-4.json", "page-3.json", "page-2.json"]
    assert ids_of(pages["feed.json"]) == ["acme/c2"] and ids_of(pages["page-5.json"]) == ["acme/c1", "acme/c9"]
    assert "next_url" not in pages["page-2.json"] and not (builds[2] / "api/v1/feed/page-1.json").exists()
    for name in ("page-3.json", "page-4.json"):
        rel = f"api/v1/feed/{name}"
        assert (builds[2] / rel).read_bytes() == (builds[0] / rel).read_bytes()
    ids = [i for page in pages.values() for i in ids_of(page)]
    assert sorted(ids) == sorted(f"acme/c{i}" for i in range(1, 10))  # every credential's newest item, once
    # Nothing changed: the feed stays as it was, page for page.
    build(root, builds[3], as_of="2026-11-26", feed_page_size=2, previous=str(builds[2]))
    assert feed_pages(builds[3]) == pages


def test_the_feed_is_cut_afresh_for_another_page_size_or_a_feed_from_before_archived_pages(catalog_dir, tmp_path):
    root = catalog_dir(dated_catalog())
    first = tmp_path / "first"
    build(root, first, feed_page_size=2)
    retitle(root, "c1", "Course One")
    resized = tmp_path / "resized"
    build(root, resized, as_of=LATER, feed_page_size=4, previous=str(first))
    pages = feed_pages(resized)
    # 9 items: 1 on feed.json, two pages of 4, numbered above the pages of 2 (up to 4), so no URL serves other items
    assert list(pages) == ["feed.json", "page-6.json", "page-5.json"]
    assert [len(page["items"]) for page in pages.values()] == [1, 4, 4]
    assert ids_of(pages["feed.json"]) == ["acme/c1"]
    # A previous build written before archived pages has no "feed_pages": its feed is cut afresh too.
    old = tmp_path / "old"
    shutil.copytree(first, old)
    meta = old / "api/v1/changes/state.json"
    value = json.loads(meta.read_text())
    del value["feed_pages"]
    meta.write_text(json.dumps(value))
    upgraded = tmp_path / "upgraded"
    build(root, upgraded, as_of=LATER, feed_page_size=2, previous=str(old))
    assert [len(page["items"]) for page in feed_pages(upgraded).values()] == [1, 2, 2, 2, 2]
    assert ids_of(feed_pages(upgraded)["feed.json"]) == ["acme/c1"]


def test_a_feed_emptied_past_twice_its_pages_is_cut_afresh(catalog_dir, tmp_path):
    """Compaction can leave many thin pages; past twice the pages its items need (and two), the feed is cut afresh."""
    root = catalog_dir(dated_catalog())
    first = tmp_path / "first"
    build(root, first, feed_page_size=4)
    meta = first / "api/v1/changes/state.json"
    value = json.loads(meta.read_text())
    assert value["feed_pages"] == {"page_size": 4, "head": 1, "archive": [[2, 4], [1, 4]]}
    # The same 9 items said to be cut as feed.json's one and 8 pages of one, numbered 20 down to 13: kept as cut
    # (9 items need 3 pages: at most 2 x 3 + 2 = 8 archived pages are kept).
    value["feed_pages"] = {"page_size": 4, "head": 1, "archive": [[n, 1] for n in range(20, 12, -1)]}
    meta.write_text(json.dumps(value))
    kept = tmp_path / "kept"
    build(root, kept, as_of=LATER, feed_page_size=4, previous=str(first))
    assert list(feed_pages(kept)) == ["feed.json", *(f"page-{n}.json" for n in range(20, 12, -1))]
    value["feed_pages"] = {"page_size": 4, "head": 0, "archive": [[n, 1] for n in range(20, 11, -1)]}  # 9 pages
    meta.write_text(json.dumps(value))
    again = tmp_path / "again"
    build(root, again, as_of=LATER, feed_page_size=4, previous=str(first))
    assert list(feed_pages(again)) == ["feed.json", "page-22.json", "page-21.json"]  # above page 20


@pytest.mark.parametrize("feed_pages_value", [
    {"page_size": 2, "head": 1e999, "archive": []},  # 1e999 is read as infinity
    {"page_size": 2, "head": True, "archive": [[4, 2], [3, 2], [2, 2], [1, 2]]},
    {"page_size": 2, "head": 1, "archive": [[4, 2], [3, 2], [2, 2], [1, "2"]]},
    {"page_size": 2, "head": 5, "archive": [[1, 4]]},  # more items on a page than its size
    {"page_size": 2, "head": 1, "archive": [[10 ** 30, 2], [3, 2], [2, 2], [1, 2]]},
    {"page_size": 2, "head": 1, "archive": [[3, 2], [4, 2], [2, 2], [1, 2]]},  # out of order
    "not an object",
])
def test_a_hand_edited_feed_layout_is_cut_afresh_not_a_traceback(catalog_dir, tmp_path, feed_pages_value):
    root = catalog_dir(dated_catalog())
    first = tmp_path / "first"
    build(root, first, feed_page_size=2)
    meta = first / "api/v1/changes/state.json"
    meta.write_text(meta.read_text().replace('"feed_pages":', f'"feed_pages":{json.dumps(feed_pages_value)},"was":'))
    retitle(root, "c1", "Course One")
    out = tmp_path / "out"
    report = build(root, out, as_of=LATER, feed_page_size=2, previous=str(first))
    assert report.feed.changes == {"added": 0, "updated": 1, "removed": 0}
    pages = feed_pages(out)
    assert [len(page["items"]) for page in pages.values()] == [1, 2, 2, 2, 2]  # cut afresh
    assert sorted(i for page in pages.values() for i in ids_of(page)) == sorted(f"acme/c{i}" for i in range(1, 10))


def test_a_log_that_is_not_the_one_its_state_describes(catalog_dir, tmp_path):
    """A build stopped between putting in its change log and its state.json leaves a newer log under an older
    state.json: the first item's id tells, and the feed is cut afresh from the log. A log longer than its state.json
    says, with the same first item, is an error that says so."""
    root = catalog_dir(dated_catalog())
    first, second = tmp_path / "first", tmp_path / "second"
    build(root, first, feed_page_size=2)
    retitle(root, "c1", "Course One")
    build(root, second, as_of=LATER, feed_page_size=2, previous=str(first))
    mixed = tmp_path / "mixed"
    shutil.copytree(first, mixed)
    shutil.copy(second / "api/v1/changes/log.ndjson.gz", mixed / "api/v1/changes/log.ndjson.gz")
    retitle(root, "c5", "Course Five")
    out = tmp_path / "out"
    build(root, out, as_of="2026-11-25", feed_page_size=2, previous=str(mixed))
    pages = feed_pages(out)
    assert [len(page["items"]) for page in pages.values()] == [1, 2, 2, 2, 2]
    assert sorted(i for page in pages.values() for i in ids_of(page)) == sorted(f"acme/c{i}" for i in range(1, 10))
    longer = tmp_path / "longer"
    shutil.copytree(first, longer)
    log = longer / "api/v1/changes/log.ndjson.gz"
    with gzip.open(log, "rt") as fh:
        lines = fh.read().splitlines()
    with gzip.open(log, "wt") as fh:
        fh.write("\n".join(lines + lines[-1:]) + "\n")
    with pytest.raises(PreviousBuildError, match="holds more items than its changes/state.json says"):
        build(root, tmp_path / "out2", as_of="2026-11-25", feed_page_size=2, previous=str(longer))


# The change state and log as gzip members cut by their own lines (writer.GzipLines), copied from the last build's file.

def _members(path: Path) -> list[bytes]:
    """The decompressed text of each gzip member of the file, in order."""
    import zlib

    data, texts = path.read_bytes(), []
    while data:
        inflate = zlib.decompressobj(31)
        texts.append(inflate.decompress(data))
        assert inflate.eof, "a member is cut short"
        data = inflate.unused_data
    return texts


def _write(path: Path, lines: list[str], earlier=None):
    from generator.feeds.writer import GzipLines

    with GzipLines(path, earlier) as out:
        out.write_lines(lines[:3])
        for line in lines[3:]:
            out.write_text(line)
    return out


def test_gzip_lines_end_a_member_where_a_line_says_so_whatever_came_before(tmp_path, monkeypatch):
    import zlib

    from generator.feeds import writer

    monkeypatch.setattr(writer, "MEMBER_CUT", 4)
    lines = [json.dumps({"id": f"p/c-{i}", "n": i}) for i in range(200)]
    made = _write(tmp_path / "a.ndjson.gz", lines)
    texts = _members(tmp_path / "a.ndjson.gz")
    assert 20 < len(texts) == len(made.members) < 200
    assert gzip.decompress((tmp_path / "a.ndjson.gz").read_bytes()).decode().splitlines() == lines
    for text in texts:
        last = text.decode().splitlines()[-1]
        assert zlib.crc32(last.encode()) % 4 == 0 or text is texts[-1]
    # One line changed and one inserted: the members before them are the same bytes; so are those after the next cut.
    changed = lines[:50] + ['{"inserted":true}'] + lines[50:120] + ['{"id":"p/c-120","n":"changed"}'] + lines[121:]
    _write(tmp_path / "b.ndjson.gz", changed)
    again = _members(tmp_path / "b.ndjson.gz")
    assert len(set(texts) - set(again)) <= 4 and len(set(again) - set(texts)) <= 4


def test_gzip_lines_copy_the_members_the_earlier_file_holds_and_give_the_same_bytes(tmp_path, monkeypatch):
    from generator.feeds import writer
    from generator.feeds.writer import MemberCopies

    monkeypatch.setattr(writer, "MEMBER_CUT", 4)
    lines = [json.dumps({"id": f"p/c-{i}", "title": "x" * (i % 7)}) for i in range(300)]
    first = _write(tmp_path / "first.gz", lines)
    edited = lines[:100] + ['{"id":"p/c-100","title":"edited"}'] + lines[101:]
    clean = _write(tmp_path / "clean.gz", edited)
    copied = _write(tmp_path / "copied.gz", edited, MemberCopies(tmp_path / "first.gz", first.members))
    assert (tmp_path / "copied.gz").read_bytes() == (tmp_path / "clean.gz").read_bytes()
    assert clean.copied == 0 and len(copied.members) - 2 <= copied.copied < len(copied.members)

    # An earlier file changed since its members were noted: whatever no longer checks out is compressed again.
    spoiled = bytearray((tmp_path / "first.gz").read_bytes())
    for offset, length in first.members.values():
        spoiled[offset + length - 5] ^= 0xFF  # each member's trailer (its length) no longer matches its lines
    (tmp_path / "first.gz").write_bytes(bytes(spoiled))
    again = _write(tmp_path / "again.gz", edited, MemberCopies(tmp_path / "first.gz", first.members))
    assert again.copied == 0 and (tmp_path / "again.gz").read_bytes() == (tmp_path / "clean.gz").read_bytes()
    # Nor does an index that is not a map of members, or a file that is gone.
    for index, path in (({key: ("a", 5) for key in first.members}, tmp_path / "clean.gz"),
                        ({key: (10 ** 30, 5) for key in first.members}, tmp_path / "clean.gz"),
                        (first.members, tmp_path / "gone.gz")):
        odd = _write(tmp_path / "odd.gz", edited, MemberCopies(path, index))
        assert odd.copied == 0 and (tmp_path / "odd.gz").read_bytes() == (tmp_path / "clean.gz").read_bytes()


def test_gzip_lines_without_lines_is_still_a_gzip_file(tmp_path):
    _write(tmp_path / "empty.gz", [])
    assert gzip.decompress((tmp_path / "empty.gz").read_bytes()) == b""
