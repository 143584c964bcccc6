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
