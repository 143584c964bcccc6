"""Byte-stable writers for the API: canonical JSON files, gzipped NDJSON streams and paged lists.

Every writer here streams: a list page is written as soon as it is full and a gzip stream is fed
line by line, so memory holds one page or one buffer at a time whatever the catalog's size.
Output is reproducible: sorted keys, compact separators, UTF-8, gzip with mtime 0 and no file
name in its header, so the same input gives the same bytes on every build.
"""
from __future__ import annotations

import gzip
import os
import struct
import threading
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from ..cache import digest
from ..jsontext import canonical
from ..outputs import made, stamp

if TYPE_CHECKING:
    from ..outputs import OutputReuse

GZIP_LEVEL = 4  # bulk lines: 124 µs a record against 203 at zlib's default 6, for files 14% larger (measured at 10k)
WRITE_THREADS = 2  # 0: GzipLines compresses inline instead of on a thread of its own
_FLUSH_AT = 1 << 16
MEMBER_CUT = 1024  # GzipLines: a member ends after a line whose CRC-32 is 0 modulo this (about 1,024 lines a member)
MEMBER_MAX = 4096  # lines: or after this many, whatever they hold


dumps = canonical  # canonical compact JSON text (sorted keys, UTF-8 characters kept): jsontext.py


def write_json(path: Path, value: object) -> None:
    """Write canonical compact JSON (sorted keys, UTF-8) so builds are byte-identical."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(canonical(value), encoding="utf-8")


CONTENT = b"content"  # the key of a signature taken from a file's own bytes (as OutputReuse settles unsigned files)


def put_json(out: Path, rel: str, value: object, reuse: OutputReuse | None = None) -> None:
    """Write `value` as canonical JSON to out/rel, or, with `reuse`, keep the site's file when it has the same bytes."""
    text = canonical(value)
    if reuse is not None and reuse.keep_text(rel, text, CONTENT):
        return
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


class Background:
    """Runs writes on worker threads (zlib and file I/O release the GIL, so they overlap the JSON work).

    At most `limit` tasks wait at once, so memory stays bounded however fast records arrive;
    `close` waits for all of them and re-raises the first failure.
    """

    def __init__(self, workers: int = 2, limit: int = 64):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="credcat-write") if workers else None
        self._slots = threading.BoundedSemaphore(limit)
        self._errors: list[BaseException] = []

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Queue fn(*args), waiting while the queue is full (or run it now when there are no workers)."""
        if self._pool is None:
            fn(*args)
            return
        self._slots.acquire()
        future = self._pool.submit(fn, *args)
        future.add_done_callback(self._done)

    def _done(self, future: Future) -> None:
        self._slots.release()
        if future.exception() is not None:
            self._errors.append(future.exception())  # type: ignore[arg-type]

    def close(self) -> None:
        """Wait for every queued write; raise the first error."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        if self._errors:
            raise self._errors[0]


class GzipLines:
    """A gzipped NDJSON file written line by line, into place only when closed.

    Written to `<path>.tmp` and renamed on close, so a reader of the previous file at the same
    path (the previous build's change log) is never disturbed mid-build. The file is a sequence
    of gzip members (read as one stream, see GzipMember), each a run of lines that ends after a
    line whose CRC-32 is 0 modulo MEMBER_CUT (or after MEMBER_MAX lines): where a member ends
    depends on its own lines only, so a change to some lines changes their members and no other.
    With `earlier` (the last build's copy of the file), a member whose lines it already holds is
    copied from it, not compressed again. Memory holds one member's lines (at most MEMBER_MAX).
    Compression runs on a thread of its own (in order), beside the main thread's JSON encoding.
    """

    def __init__(self, path: Path, earlier: "MemberCopies | None" = None):
        self.path = path
        self.count = 0
        self.earlier = earlier
        self.members: dict[bytes, tuple[int, int]] = {}  # each member's lines' hash -> (offset, length), for the next build
        path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = path.with_name(path.name + ".tmp")
        self._raw = open(self._tmp, "wb")
        self._offset = 0
        self.copied = 0  # members copied from `earlier`
        self._worker = Background(workers=1 if WRITE_THREADS else 0, limit=4)  # one worker: members stay in order
        self._buffer: list[str] = []

    def write(self, value: Any) -> None:
        """Append one JSON value as a line."""
        self.write_text(canonical(value))

    def write_text(self, line: str) -> None:
        """Append one already-encoded JSON line (no newline)."""
        self.write_lines([line])

    def write_lines(self, lines: list[str]) -> None:
        """Append already-encoded JSON lines (no newlines)."""
        self.count += len(lines)
        start = 0
        for i, line in enumerate(lines):
            if zlib.crc32(line.encode("utf-8")) % MEMBER_CUT == 0 or len(self._buffer) + i + 1 - start >= MEMBER_MAX:
                self._buffer += lines[start:i + 1]
                start = i + 1
                self._flush()
        self._buffer += lines[start:]

    def _flush(self) -> None:
        if self._buffer:
            data = ("\n".join(self._buffer) + "\n").encode("utf-8")
            self._buffer = []
            self._worker.submit(self._put, data)

    def _put(self, data: bytes) -> None:
        """Write the member of `data`: copied from the earlier file when it holds it, else compressed."""
        key = digest(data)
        member = self.earlier.member(key, data) if self.earlier is not None else None
        if member is None:
            member = gzip_member(data)
        else:
            self.copied += 1
        self._raw.write(member)
        self.members.setdefault(key, (self._offset, len(member)))
        self._offset += len(member)

    def close(self) -> None:
        """Finish the stream and move it into place."""
        self._flush()
        if not self._offset and not self.count:
            self._worker.submit(self._put, b"")  # an empty file is still gzip: one empty member
        self._worker.close()
        self._raw.close()
        if self.earlier is not None:
            self.earlier.close()
        os.replace(self._tmp, self.path)

    def __enter__(self) -> "GzipLines":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:  # leave nothing half-written behind
            self._worker.close()
            self._raw.close()
            if self.earlier is not None:
                self.earlier.close()
            self._tmp.unlink(missing_ok=True)


class StoredMembers:
    """Where the members of the last build's GzipLines files lie, kept in the feeds' result store between builds.

    Stored under the build's global key (code and settings: the level and cut of members among
    them), so a member is only ever copied into a file this code would have compressed the same.
    """

    def __init__(self, site_dir: Path, results: Any, key: bytes):
        self.site_dir, self.results, self.key = site_dir, results, key

    def _signature(self, rel: str) -> bytes:
        return digest(self.key, b"gzip-members", rel)

    def open(self, out: Path, rel: str) -> GzipLines:
        """A GzipLines for out/rel that copies the members the site's copy of rel holds."""
        return GzipLines(out / rel, MemberCopies(self.site_dir / rel, self.results.get(self._signature(rel))))

    def keep(self, rel: str, lines: GzipLines) -> None:
        """Note where the members of `lines` (closed) lie, for the next build."""
        self.results.put(self._signature(rel), lines.members)


class MemberCopies:
    """The last build's copy of a GzipLines file, and where each of its members lies (by its lines' hash).

    `member` gives the member's bytes when the file holds one with those lines, checked where it is
    read (a gzip header, and a trailer whose CRC-32 and length are the lines'): a file changed since,
    or an index that does not describe it, gives None, and the member is compressed again.
    """

    def __init__(self, path: Path, index: dict[bytes, tuple[int, int]] | None):
        self.index = index if isinstance(index, dict) else {}
        self._fd: int | None = None
        if self.index:
            try:
                self._fd = os.open(path, os.O_RDONLY)
            except OSError:
                self.index = {}

    def member(self, key: bytes, data: bytes) -> bytes | None:
        """The earlier file's member holding exactly `data` (whose hash is `key`), or None."""
        where = self.index.get(key)
        if where is None or self._fd is None:
            return None
        try:
            offset, length = where
            member = os.pread(self._fd, length, offset)
        except (OSError, TypeError, ValueError, OverflowError):
            return None
        if (len(member) != length or length < 18 or not member.startswith(_MEMBER_HEADER)
                or member[-8:] != struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)):
            return None
        return member

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class GzipMember:
    """One gzip member of NDJSON lines, compressed in memory as lines arrive (the bytes are returned by `finish`).

    A gzip file may be a concatenation of members, and every reader (Python's gzip, zcat,
    aggregators' tools) reads it as one stream: so a bulk file can be compressed in pieces, on
    several processes, and joined in order. The header is GzipFile's with mtime 0 and no file
    name, so the same lines give the same bytes.
    """

    def __init__(self) -> None:
        self._deflate = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        self._parts: list[bytes] = []
        self._crc = 0
        self._size = 0
        self._lines: list[str] = []
        self._pending = 0

    def write_text(self, line: str) -> None:
        """Append one already-encoded JSON line (no newline)."""
        self._lines.append(line)
        self._pending += len(line) + 1
        if self._pending >= _FLUSH_AT:
            self._compress()

    def _compress(self) -> None:
        # Lines are compressed many at once: deflate's output is the same however its input is cut.
        data = ("\n".join(self._lines) + "\n").encode("utf-8")
        self._lines, self._pending = [], 0
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        compressed = self._deflate.compress(data)
        if compressed:
            self._parts.append(compressed)

    def finish(self) -> bytes:
        """The whole member: header, deflate stream, CRC-32 and length."""
        if self._lines:
            self._compress()
        self._parts.append(self._deflate.flush())
        return b"".join([_MEMBER_HEADER, *self._parts, struct.pack("<II", self._crc, self._size & 0xFFFFFFFF)])


# A member's header, as GzipFile writes it with mtime 0 and no file name (XFL follows the level, OS byte 255).
_MEMBER_HEADER = (b"\037\213\010\000\000\000\000\000" + (b"\002" if GZIP_LEVEL == 9 else b"\004" if GZIP_LEVEL == 1 else b"\000")
                  + b"\377")


def gzip_member(data: bytes) -> bytes:
    """`data` as one whole gzip member (the same bytes as GzipMember's for the same lines)."""
    deflate = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return b"".join([_MEMBER_HEADER, deflate.compress(data), deflate.flush(),
                     struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)])


class GzipMembers:
    """A gzip file written as a sequence of members (see GzipMember), into place only when closed."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = path.with_name(path.name + ".tmp")
        self._raw = open(self._tmp, "wb")

    def write(self, member: bytes) -> None:
        """Append one finished member."""
        self._raw.write(member)

    def close(self) -> None:
        """Finish the file and move it into place."""
        self._raw.close()
        os.replace(self._tmp, self.path)

    def discard(self) -> None:
        """Leave nothing half-written behind (after a failure)."""
        self._raw.close()
        self._tmp.unlink(missing_ok=True)


def write_text_file(root: str, rel: str, text: str) -> bytes:
    """Write text to <root>/<rel> with plain os calls (a third of open()'s overhead); the folder must exist.

    Returns the file's stamp (outputs.stamp), taken from the open file: the build's manifest records it.
    """
    return write_bytes_file(os.path.join(root, rel), text.encode("utf-8"))


def write_bytes_file(path: str, data: bytes) -> bytes:
    """Write data to `path` with plain os calls; the file's stamp (outputs.stamp), taken before it is closed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        return stamp(os.fstat(fd))
    finally:
        os.close(fd)


def read_gzip_blocks(stream, size: int = 1 << 16) -> Iterator[list[str]]:
    """The non-empty lines of a gzipped NDJSON byte stream, as text (not parsed), a block of `size` bytes at a time.

    Blocks, not readline: lines are split and decoded a block at a time, in C, and a caller can
    look at a whole block at once (one regular expression over all its lines).
    """
    with gzip.GzipFile(fileobj=stream, mode="rb") as gz:
        rest = b""
        while True:
            data = gz.read(size)
            if not data:
                break
            data = rest + data
            cut = data.rfind(b"\n") + 1
            rest = data[cut:]
            if cut:
                yield _lines(data[:cut])
        if rest.strip():
            yield _lines(rest)


def _lines(data: bytes) -> list[str]:
    lines = data.decode("utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    if any(not line or line[0].isspace() or line[-1].isspace() for line in lines):  # not as credcat writes them
        lines = [line.strip() for line in lines if line.strip()]
    return lines


def dumps_with_items(doc: dict, items: list[str]) -> str:
    """dumps(doc) where doc's "items" are given as their encoded texts, joined rather than encoded again.

    The same bytes as encoding the items: the encoder writes a list as its items' texts joined by
    commas. `doc["items"]` must be an empty list, and "items" a key of doc only (in canonical JSON a
    bare `"items":` can only be a key: a quote inside a string is escaped).
    """
    text = canonical(doc)
    head, found, tail = text.partition('"items":[]')
    if not found or '"items":' in tail:
        raise ValueError("dumps_with_items: doc must have one empty 'items' list")
    return f'{head}"items":[{",".join(items)}]{tail}'


class Pager:
    """Cuts a stream of encoded items into numbered pages, writing each page when the next one starts.

    Holding one page back lets a page know whether a next page exists without knowing the total
    in advance; `path_for(n)` is page n's site-relative path and `render(n, items, has_next)` its text.
    At least one page is always written, so the first-page link of an empty list still resolves.

    With `reuse`, each item comes with a signature of what its text is made from (a hash, 16 bytes),
    and a page whose signature (the items', its number, whether a next page follows, and `context`:
    what else the page shows) is the last build's is kept in the site, not rendered.
    """

    def __init__(self, out: Path, size: int, path_for: Callable[[int], str],
                 render: Callable[[int, list[str], bool], str], reuse: OutputReuse | None = None,
                 context: bytes = b""):
        self.out, self.size, self.path_for, self.render = out, max(1, size), path_for, render
        self.reuse, self.context = reuse, context
        self._items: list[str] = []
        self._signatures: list[bytes] = []
        self._held: tuple[list[str], list[bytes]] | None = None
        self._folders: set[Path] = set()
        self.pages = 0

    def add(self, item: str, signature: bytes = b"") -> None:
        """Add one encoded item (with the signature of its inputs when the pager reuses pages) to the current page."""
        self._items.append(item)
        self._signatures.append(signature)
        if len(self._items) == self.size:
            self._rotate()

    def extend(self, items: Sequence[str], signatures: Sequence[bytes] | None = None) -> None:
        """Add encoded items (and their signatures, one each) in order: `add` for many at once."""
        start, end = 0, len(items)
        while start < end:
            take = min(self.size - len(self._items), end - start)
            self._items += items[start:start + take]
            self._signatures += signatures[start:start + take] if signatures is not None else [b""] * take
            start += take
            if len(self._items) == self.size:
                self._rotate()

    def _rotate(self) -> None:
        if self._held is not None:
            self._emit(*self._held, has_next=True)
        self._held, self._items, self._signatures = (self._items, self._signatures), [], []

    def _emit(self, items: list[str], signatures: list[bytes], has_next: bool) -> None:
        self.pages += 1
        rel = self.path_for(self.pages)
        signature = b""
        if self.reuse is not None:
            # One part for all the items' signatures: they are of one length, so the joined bytes say which they were.
            signature = digest(self.context, str(self.pages), b"next" if has_next else b"last", b"".join(signatures))
            if keep_page(self.reuse, rel, signature):
                return
        write_page_file(self.out, rel, self.render(self.pages, items, has_next), signature, self.reuse, self._folders)

    def close(self) -> int:
        """Write what is left; returns the number of pages."""
        if self._items:
            self._rotate()
        self._emit(*(self._held if self._held is not None else ([], [])), has_next=False)
        self._held = None
        return self.pages


def keep_page(reuse: OutputReuse, rel: str, signature: bytes) -> bool:
    """Keep the site's `rel` when it was made from `signature` (and is untouched): True, and recorded in `reuse`."""
    entry = reuse.keep(rel, signature)
    if entry is None:
        return False
    reuse.merge([(rel, entry)])
    return True


def write_page_file(out: Path, rel: str, text: str, signature: bytes, reuse: OutputReuse | None,
                    folders: set[Path]) -> None:
    """Write `text` to out/rel (its folder made once: `folders` holds those made) and record it in `reuse` as made
    from `signature`, with the stamp taken as it was written."""
    path = out / rel
    if path.parent not in folders:
        path.parent.mkdir(parents=True, exist_ok=True)
        folders.add(path.parent)
    stamped = write_text_file(str(out), rel, text)
    if reuse is not None:
        reuse.merge([(rel, made(signature, stamped))])
