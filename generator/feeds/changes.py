"""The change feed: what was added, changed or removed since the previously published build.

Design (see docs/api.md, "How the change feed works"): each build publishes its own change state
next to the API (api/v1/changes/): `state.ndjson.gz`, one line per credential sorted by id (content
hash, first-published and last-modified dates, title), and `log.ndjson.gz`, the feed's items newest
first. The next build reads both from the previous site (a folder, or the published site's URL)
and merge-joins the state with the catalog, which is sorted by id too: one streaming pass finds
every addition, content change and removal, holding only the changes in memory.

Dates are the dates content changed, never the build's clock. A change is detected somewhere
between the previous build's as_of and this one's; it is dated by the record's last_verified when
that falls inside the interval, else by this build's as_of (its upper bound). Every item of a build
therefore post-dates every item already published, so the feed stays in date order, and the same
catalog plus the same previous build always give the same dates. A first build (no previous state)
dates each record by its last_verified (or as_of when it has none or it lies in the future).

The log is compacted: a credential keeps only its newest item (an addition, an update or a
tombstone), so the feed holds about one item per credential ever published and never grows with
the number of builds. Each item carries the build's sequence number in `_credcat.sequence`; an
aggregator reads from the newest page down to the first sequence it has already processed.

The feed's pages are cut from the log: feed.json holds the newest items, and archived pages,
numbered from the oldest, keep their numbers and items from build to build (write_feed), so a
small change rewrites a page or two, not the whole feed.
"""
from __future__ import annotations

import itertools
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from ..cache import digest
from ..config import Config
from ..model import Credential
from . import paths
from .writer import CONTENT, GzipLines, StoredMembers, dumps, dumps_with_items, keep_page, read_gzip_blocks, write_json, write_page_file

if TYPE_CHECKING:
    from ..outputs import OutputReuse

STATE_FORMAT = 1
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


class PreviousBuildError(Exception):
    """The previous build given with --previous cannot be read; the message says why."""


@dataclass
class PreviousBuild:
    """The previously published change state: its summary and two re-openable streams of JSON lines (text, a block at a time)."""

    meta: dict
    open_state: Callable[[], Iterator[list[str]]]
    open_log: Callable[[], Iterator[list[str]]]
    source: str = ""


def _open_local(path: Path) -> Iterator[list[str]]:
    if not path.is_file():
        return iter(())
    with open(path, "rb") as raw:
        yield from read_gzip_blocks(raw)


def _open_url(url: str) -> Iterator[list[str]]:
    try:
        response = urllib.request.urlopen(url, timeout=60)  # noqa: S310 - the user names the URL
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return
        raise PreviousBuildError(f"cannot read {url}: HTTP {exc.code}") from None
    with response:
        yield from read_gzip_blocks(response)


def load_previous(source: str | Path | None) -> PreviousBuild | None:
    """The change state of a previous build in a site folder or at a site URL; None when it has none."""
    if source is None or str(source) == "":
        return None
    text = str(source)
    if text.startswith(("http://", "https://", "file://")):
        base = text if text.endswith("/") else text + "/"
        meta_url = urllib.parse.urljoin(base, paths.CHANGES_META)
        try:
            with urllib.request.urlopen(meta_url, timeout=60) as response:  # noqa: S310
                meta = json.load(response)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise PreviousBuildError(f"cannot read the previous build at {meta_url}: HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise PreviousBuildError(f"cannot read the previous build at {meta_url}: {exc}") from None
        state_url = urllib.parse.urljoin(base, paths.CHANGES_STATE)
        log_url = urllib.parse.urljoin(base, paths.CHANGES_LOG)
        return _checked(PreviousBuild(meta, lambda: _open_url(state_url), lambda: _open_url(log_url), text))
    root = Path(text)
    meta_file = root / paths.CHANGES_META
    if not meta_file.is_file():
        return None
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PreviousBuildError(f"cannot read {meta_file}: {exc}") from None
    state_file, log_file = root / paths.CHANGES_STATE, root / paths.CHANGES_LOG
    return _checked(PreviousBuild(meta, lambda: _open_local(state_file), lambda: _open_local(log_file), str(root)))


def _checked(previous: PreviousBuild) -> PreviousBuild:
    if previous.meta.get("format") != STATE_FORMAT:
        raise PreviousBuildError(f"the previous build at {previous.source} has change-state format "
                                 f"{previous.meta.get('format')!r}; this credcat reads format {STATE_FORMAT}")
    return previous


def resolve_previous(config: Config, out: Path) -> PreviousBuild | None:
    """The previous build to compare with: config.previous, else the live site folder, else `out` itself."""
    if config.previous:
        found = load_previous(config.previous)
        if found is None:
            raise PreviousBuildError(f"no change state found at {config.previous} "
                                     f"(looked for {paths.CHANGES_META}); build without --previous for a first build")
        return found
    for candidate in (config.site_dir, out):
        found = load_previous(candidate)
        if found is not None:
            return found
    return None


@dataclass(frozen=True, slots=True)
class Change:
    """One detected change; `cred` is None for a removal (then `title` comes from the old state)."""

    date: str
    kind: str  # added | updated | removed
    id: str
    content_hash: str
    published: str
    title: str
    cred: Credential | None = None


_STATE_LINE = re.compile(r'\{"content_hash":"([^"\\\n]*)","id":"([^"\\\n]*)"')  # how our state lines start
_CREDENTIAL_ID = '"credential_id":"'  # the key in each feed item's _credcat


def _state_keys(lines: list[str]) -> list[tuple[str, str]]:
    """Each state line's (content hash, id): read off the start of each line, or parsed where one is not as credcat writes it."""
    found = list(map(_STATE_LINE.match, lines))
    if None not in found:
        return [match.groups() for match in found]  # type: ignore[union-attr]
    keys = []
    for line, match in zip(lines, found):
        if match is None:
            old = json.loads(line)
            keys.append((old["content_hash"], old["id"]))
        else:
            keys.append(match.groups())
    return keys


def _superseded(lines: list[str], changed: set[str]) -> list[str]:
    """The feed items of `lines` that are not for a credential in `changed` (whose newer item this build wrote)."""
    if len(changed) <= 16:  # a few changes: look for each in the whole block first, which rarely holds one
        text = "\n".join(lines)
        if text.count(_CREDENTIAL_ID) == len(lines) and not any(f'{_CREDENTIAL_ID}{cid}"' in text for cid in changed):
            return lines
    kept = []
    for line in lines:
        start = line.find(_CREDENTIAL_ID) + len(_CREDENTIAL_ID)
        end = line.find('"', start)
        cid = line[start:end]
        if start < len(_CREDENTIAL_ID) or end < 0 or "\\" in cid:  # not as credcat writes it: parse it
            cid = json.loads(line)["_credcat"]["credential_id"]
        if cid not in changed:
            kept.append(line)
    return kept


@dataclass
class ChangeTracker:
    """Merge-joins the catalog (in id order) with the previous state, writing the new state as it goes.

    The previous state is read as text, a block of lines at a time, with each line's content hash
    and id read off the whole block at once. A chunk of credentials whose ids and hashes are the
    next lines' has those lines copied as they are; only the lines of changed or removed
    credentials are parsed.
    """

    as_of: str
    previous: PreviousBuild | None
    state_out: GzipLines
    changes: list[Change] = field(default_factory=list)
    _blocks: Iterator[list[str]] | None = None
    _lines: list[str] = field(default_factory=list)  # the previous state's lines read and not yet taken, from _pos
    _keys: list[tuple[str, str]] = field(default_factory=list)  # their (content hash, id)
    _pos: int = 0
    _last_id: str = ""

    def __post_init__(self) -> None:
        self.prev_as_of: str | None = self.previous.meta.get("as_of") if self.previous else None
        self.high = max(self.as_of, self.prev_as_of or self.as_of)
        if self.previous is not None:
            self._blocks = self.previous.open_state()

    def _ahead(self, want: int = 1) -> int:
        """How many previous lines are ready from _pos, reading blocks until `want` are (or the state ends)."""
        while len(self._lines) - self._pos < want and self._blocks is not None:
            block = next(self._blocks, None)
            if block is None:
                self._blocks = None
                break
            self._lines = self._lines[self._pos:] + block
            self._keys = self._keys[self._pos:] + _state_keys(block)
            self._pos = 0
        return len(self._lines) - self._pos

    def _take(self) -> str:
        """The next previous line, checked to come after the last in id order."""
        line_id = self._keys[self._pos][1]
        if line_id <= self._last_id:
            raise PreviousBuildError(f"the previous change state is not sorted by id at '{line_id}'")
        self._last_id = line_id
        self._pos += 1
        return self._lines[self._pos - 1]

    def date_for(self, last_verified: str | None) -> str:
        """When a change detected now happened: last_verified if inside (previous as_of, as_of], else as_of."""
        if last_verified and last_verified <= self.high and (self.prev_as_of is None or last_verified > self.prev_as_of):
            return last_verified
        return self.high

    def _removed_until(self, cred_id: str | None) -> None:
        while self._ahead() and (cred_id is None or self._keys[self._pos][1] < cred_id):
            old = json.loads(self._take())
            self.changes.append(Change(self.high, "removed", old["id"], old["content_hash"], old["published"], old["title"]))

    def see(self, cred: Credential, content_hash: str) -> None:
        """Account for one credential of the new catalog (called in id order)."""
        self._removed_until(cred.id)
        if self._ahead() and self._keys[self._pos][1] == cred.id:
            old_hash = self._keys[self._pos][0]
            line = self._take()
            if old_hash == content_hash:
                self.state_out.write_text(line)  # unchanged: the line as it was
                return
            old = json.loads(line)
            date = self.date_for(cred.last_verified)
            self.changes.append(Change(date, "updated", cred.id, content_hash, old["published"], cred.name, cred))
            self.state_out.write({"id": cred.id, "content_hash": content_hash, "published": old["published"],
                                  "modified": date, "title": cred.name})
            return
        date = self.date_for(cred.last_verified)
        self.changes.append(Change(date, "added", cred.id, content_hash, date, cred.name, cred))
        self.state_out.write({"id": cred.id, "content_hash": content_hash, "published": date, "modified": date,
                              "title": cred.name})

    def see_all(self, creds: Sequence[Credential], content_hashes: Sequence[str]) -> None:
        """`see` each of `creds` (in id order): when the next lines are theirs, unchanged, they are copied at once."""
        n = len(creds)
        if n and self._ahead(n) >= n:
            pos = self._pos
            if (self._keys[pos:pos + n] == list(zip(content_hashes, [cred.id for cred in creds]))
                    and creds[0].id > self._last_id):
                self.state_out.write_lines(self._lines[pos:pos + n])
                self._pos += n
                self._last_id = creds[-1].id
                return
        for cred, content_hash in zip(creds, content_hashes):
            self.see(cred, content_hash)

    def finish(self) -> list[Change]:
        """Everything left in the previous state was removed; returns this build's changes, newest first."""
        self._removed_until(None)
        # Two stable sorts on existing strings (no key tuples): by id, then by date, newest first.
        self.changes.sort(key=attrgetter("id"))
        self.changes.sort(key=attrgetter("date"), reverse=True)
        return self.changes


def _timestamp(date: str) -> str:
    return f"{date}T00:00:00Z"


def item_id(config: Config, cred_id: str, sequence: int) -> str:
    """A feed item's id: the credential's page URL plus the build sequence that saw the change."""
    return f"{config.url(paths.credential_page_path_for(cred_id))}#change-{sequence}"


def feed_item(change: Change, sequence: int, config: Config) -> dict:
    """The JSON Feed item for a change; removals are tombstones carrying the id in `_credcat`."""
    ext: dict[str, Any] = {"change": change.kind, "credential_id": change.id, "sequence": sequence,
                           "content_hash": change.content_hash, "changed": change.date,
                           "document": None if change.cred is None else config.url(paths.credential_api_path_for(change.id))}
    item: dict[str, Any] = {
        "id": item_id(config, change.id, sequence),
        "date_published": _timestamp(change.published),
        "date_modified": _timestamp(change.date),
        "_credcat": ext,
    }
    if change.cred is None:
        ext["tombstone"] = True
        item["title"] = f"Removed: {change.title}"
        item["content_text"] = f"{change.id} was removed from the catalog; delete it from copies of the catalog."
        return item
    cred = change.cred
    item.update({
        "title": cred.name if change.kind == "added" else f"Updated: {cred.name}",
        "content_text": cred.summary or cred.name,
        "url": config.url(paths.credential_page_path(cred)),
        "external_url": cred.url,
        "language": cred.languages[0],
        "tags": [cred.type, cred.provider.id],
    })
    return item


def feed_page_document(config: Config, number: int, items: list, next_page: int | None,
                       sequence: int | None = None) -> dict:
    """A page of the JSON Feed 1.1 change feed: feed.json when `sequence` (this build's) is given, else archived
    page `number`; `next_page` is the archived page of the next older items, if any."""
    ext: dict[str, Any] = {"about": config.url("api/#change-feed"), "page": number}
    if sequence is None:
        ext["archived"] = True
    else:
        ext["sequence"] = sequence
    ext["schema"] = config.url(paths.schema_path("feed"))
    doc: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": f"{config.site_name}: catalog changes",
        "home_page_url": config.site_url,
        "feed_url": config.url(paths.FEED),
        "description": "Credentials added, changed or removed, newest first. Removals are tombstones "
                       "(_credcat.change = removed). See " + config.url("api/") + " for the sync protocol.",
        "items": items,
        "_credcat": ext,
    }
    if next_page is not None:
        doc["next_url"] = config.url(paths.feed_page(next_page))
    return doc


@dataclass
class FeedResult:
    """What index.json and changes/state.json say about the feed."""

    sequence: int
    items: int
    pages: int
    head: str | None
    changes: dict[str, int]
    layout: dict = field(default_factory=dict)  # changes/state.json's "feed_pages": how the log is cut into pages


class _Lines:
    """The previous log's lines, taken a page at a time."""

    def __init__(self, blocks: Iterator[list[str]]):
        self._blocks, self._lines, self._pos = blocks, [], 0

    def peek(self) -> str | None:
        """The next line, left to be taken; None at the end."""
        taken = self.take(1)
        if not taken:
            return None
        self._lines, self._pos = [taken[0], *self._lines[self._pos:]], 0
        return taken[0]

    def take(self, n: int | None) -> list[str]:
        """The next `n` lines (fewer at the end), or all that are left when n is None."""
        taken: list[str] = []
        while n is None or len(taken) < n:
            if self._pos == len(self._lines):
                self._lines, self._pos = next(self._blocks, None), 0
                if self._lines is None:
                    self._lines = []
                    break
                continue
            stop = len(self._lines) if n is None else min(len(self._lines), self._pos + n - len(taken))
            taken += self._lines[self._pos:stop]
            self._pos = stop
        return taken


def _starts_with(lines: _Lines, head: Any) -> bool:
    """Whether the log's first item has the id `head` (state.json's; None: the log is empty); the line stays to be taken."""
    first = lines.peek()
    if first is None or head is None:
        return first is None and head is None
    try:
        return json.loads(first).get("id") == head
    except (ValueError, AttributeError):
        return False


def _counted(lines: Iterator[str], expected: int) -> Iterator[str]:
    """`lines`, checked to be `expected` many (the previous log, read a second time when the feed is cut afresh)."""
    n = 0
    for n, line in enumerate(lines, 1):
        yield line
    if n != expected:
        raise PreviousBuildError(f"the previous build's change log changed while it was read ({expected} items, "
                                 f"then {n}): build again")


class _FeedPages:
    """Writes the feed's pages: archived pages from the newest down (one held back, to know the next older one's
    number), then feed.json. A page whose text the site already has is kept, not written (`reuse`)."""

    def __init__(self, out: Path, config: Config, sequence: int, reuse: OutputReuse | None):
        self.out, self.config, self.sequence, self.reuse = out, config, sequence, reuse
        self.archive: list[list[int]] = []  # [number, items] of each archived page written or kept, newest first
        self._held: tuple[int, list[str], bool, int | None] | None = None  # (number, items, standing, was_next)
        self._folders: set[Path] = set()
        self.first: str | None = None  # the newest archived item

    def add(self, number: int, items: list[str], standing: bool = False, was_next: int | None = None) -> None:
        """Archived page `number` (lower than every page added before); an empty page is left out.

        `standing`: the site's page `number` shows these very items, made under this build's code and
        settings (write_feed checks it), and linked to page `was_next`; if it still is, the site's file
        is kept without its text being made again.
        """
        if not items:
            return
        if self._held is not None:
            self._emit(self._held, number)
        else:
            self.first = items[0]
        self._held = (number, items, standing, was_next)
        self.archive.append([number, len(items)])

    def _emit(self, held: tuple[int, list[str], bool, int | None], next_page: int | None) -> None:
        number, items, standing, was_next = held
        rel = paths.feed_page(number)
        if standing and was_next == next_page and self.reuse is not None:
            entry = self.reuse.keep_as_made(rel)
            if entry is not None:
                self.reuse.merge([(rel, entry)])
                return
        self._put(rel, dumps_with_items(feed_page_document(self.config, number, [], next_page), items))

    def close(self, head: list[str]) -> None:
        """The last archived page, then feed.json with the `head` items."""
        if self._held is not None:
            self._emit(self._held, None)
        newest = self.archive[0][0] if self.archive else None
        number = newest + 1 if newest is not None else 1
        text = dumps_with_items(feed_page_document(self.config, number, [], newest, self.sequence), head)
        self._put(paths.FEED, text)

    def _put(self, rel: str, text: str) -> None:
        """Write `rel`, or keep the site's when it holds the same text."""
        signature = digest(CONTENT, text)
        if self.reuse is None or not keep_page(self.reuse, rel, signature):
            write_page_file(self.out, rel, text, signature, self.reuse, self._folders)


def _made_the_site(previous: PreviousBuild | None, reuse: OutputReuse | None) -> bool:
    """Whether the previous build is the one that made the site in place, under this build's code and settings.

    It is read from the site folder itself, its state.json and log are the files that build left
    (untouched since), and it was made under the same global key: then each archived page of the
    site is its page of that log, and one with the same number, items and next page is the same
    bytes now.
    """
    if previous is None or reuse is None or not reuse.old or not reuse.key or reuse.key != reuse.old.key:
        return False
    return Path(previous.source) == Path(reuse.site_dir) and all(
        reuse.untouched_since(rel) for rel in (paths.CHANGES_META, paths.CHANGES_LOG))


PAGE_NUMBER_MAX = 10 ** 9  # an archived page's number in a previous state.json above this is not ours: cut afresh


def _layout(previous: PreviousBuild | None, size: int) -> tuple[int, list[list[int]]] | None:
    """How the previous feed was cut ((feed.json's items, [[number, items] of each archived page, newest first])),
    when its pages can stay as they are: cut at this page size, consistent with its log's count, and not too sparse.
    Anything else in its state.json (no `feed_pages`, other types, numbers out of order or range) gives None."""
    if previous is None:
        return None
    found, log_items = previous.meta.get("feed_pages"), previous.meta.get("log_items")
    if not isinstance(found, dict) or not _whole(log_items) or found.get("page_size") != size \
            or not _whole(found.get("head")) or not isinstance(found.get("archive"), list):
        return None
    head, archive = found["head"], found["archive"]
    if not all(isinstance(page, list) and len(page) == 2 and all(map(_whole, page)) for page in archive):
        return None
    numbers = [n for n, _ in archive]
    if head > size or not all(0 < c <= size for _, c in archive) or head + sum(c for _, c in archive) != log_items \
            or not all(0 < n <= PAGE_NUMBER_MAX for n in numbers) or any(a <= b for a, b in zip(numbers, numbers[1:])):
        return None
    # Compaction empties archived pages over time: past twice the pages the items need (and two), they are cut afresh.
    if len(archive) > 2 * (-(-log_items // size)) + 2:
        return None
    return head, [list(page) for page in archive]


def _whole(value: Any) -> bool:
    """A whole number of JSON's (not a bool, which Python counts as one), not negative."""
    return type(value) is int and value >= 0


def _top(previous: PreviousBuild | None) -> int:
    """The highest archived page number the previous feed used (0 if none can be read): a feed cut afresh numbers its
    pages above it, so that no page URL comes to serve other items."""
    found = previous.meta.get("feed_pages") if previous is not None else None
    archive = found.get("archive") if isinstance(found, dict) else None
    if not isinstance(archive, list):
        return 0
    numbers = [page[0] for page in archive if isinstance(page, list) and page and _whole(page[0])]
    return min(max(numbers, default=0), PAGE_NUMBER_MAX)


def write_feed(config: Config, out: Path, changes: list[Change], previous: PreviousBuild | None,
               reuse: OutputReuse | None = None, members: StoredMembers | None = None) -> FeedResult:
    """Write the compacted log and the feed pages: this build's changes first, then the older items.

    The older items are the previous log's lines, copied as text (only the credential ids are read,
    a block of lines at once), and each page is its items' texts joined: nothing older is parsed or
    encoded again.

    Archived pages keep their numbers and items from build to build (see docs/api.md): this
    build's items go on feed.json, which, past `feed_page_size` items, passes its oldest on to new
    archived pages; an archived page that lost items to compaction is written again (left out when
    it lost them all). So a small change writes feed.json and a page or two. When the previous
    feed cannot be kept as it was cut (no previous build, another page size, a previous build from
    before archived pages, or too many pages emptied), every page is cut afresh. With `members`
    (where the members of the site's log lie), a run of items the site's log already holds is
    copied as compressed there, not compressed again (GzipLines).
    """
    size = config.feed_page_size
    prev_sequence = int(previous.meta.get("sequence", 0)) if previous else 0
    sequence = prev_sequence + 1 if changes else prev_sequence
    changed = {c.id for c in changes} if previous is not None else set()
    counts = {"added": 0, "updated": 0, "removed": 0}
    for change in changes:
        counts[change.kind] += 1
    layout = _layout(previous, size)
    pages = _FeedPages(out, config, sequence, reuse)

    def fresh() -> Iterator[str]:
        for change in changes:
            yield dumps(feed_item(change, sequence, config))

    def kept(lines: list[str]) -> list[str]:
        return _superseded(lines, changed) if changed and lines else lines

    with (members.open(out, paths.CHANGES_LOG) if members else GzipLines(out / paths.CHANGES_LOG)) as log:
        old: _Lines | None = None
        if layout is not None and previous is not None:
            old = _Lines(previous.open_log())
            if not _starts_with(old, previous.meta.get("head")):
                layout, old = None, None  # a log that is not the one its state.json describes: cut afresh
        if layout is None or old is None:
            # Cut afresh: the number of items first (a pass over the previous log), so feed.json holds 1 to
            # `size` items and every archived page `size`, numbered from the oldest, above every earlier page.
            older = sum(len(kept(block)) for block in previous.open_log()) if previous else 0
            total = len(changes) + older
            newer: Iterator[str] = itertools.chain(fresh(), _counted((line for block in (
                previous.open_log() if previous else ()) for line in kept(block)), older))
            top, archive = _top(previous), []
        else:
            head_count, archive = layout
            old_head = kept(old.take(head_count))
            total = len(changes) + len(old_head)
            newer = itertools.chain(fresh(), old_head)
            top = archive[0][0] if archive else 0
        cut = max(0, -(-total // size) - 1)  # archived pages the newest items fill, feed.json keeping the rest
        head = list(itertools.islice(newer, total - cut * size))
        log.write_lines(head)
        for number in range(top + cut, top, -1):
            items = list(itertools.islice(newer, size))
            log.write_lines(items)
            pages.add(number, items)
        if old is not None:
            same = _made_the_site(previous, reuse)
            for k, (number, count) in enumerate(archive):
                items = kept(old.take(count))
                log.write_lines(items)
                pages.add(number, items, same and len(items) == count, archive[k + 1][0] if k + 1 < len(archive) else None)
            if old.take(1):
                raise PreviousBuildError(f"the previous build's change log ({previous.source}) holds more items than "
                                         "its changes/state.json says: give --previous a build whose files agree")
        else:
            for _ in newer:  # _counted raises if the log grew between its two reads
                pass
        pages.close(head)
        total = log.count
    if members is not None:
        members.keep(paths.CHANGES_LOG, log)
    first = head[0] if head else pages.first
    return FeedResult(sequence, total, len(pages.archive) + 1, json.loads(first)["id"] if first else None, counts,
                      {"page_size": size, "head": len(head), "archive": pages.archive})


def write_changes_meta(config: Config, out: Path, as_of: str, result: FeedResult, credentials: int) -> dict:
    """api/v1/changes/state.json: the summary the next build (and curious aggregators) start from."""
    meta = {"kind": "changes", "format": STATE_FORMAT, "as_of": as_of, "sequence": result.sequence,
            "credentials": credentials, "log_items": result.items, "head": result.head,
            "this_build": result.changes, "feed_pages": result.layout,
            "links": {"state": config.url(paths.CHANGES_STATE), "log": config.url(paths.CHANGES_LOG),
                      "feed": config.url(paths.FEED)}}
    write_json(out / paths.CHANGES_META, meta)
    return meta
