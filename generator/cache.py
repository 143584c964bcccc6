"""The build cache: what an incremental build may reuse from the last one, and how it knows it may.

Two stores live in the cache folder (`cache_dir`, default `.credcat-cache/` beside site_config.yml):

- `records.sqlite`: each credential file's checked, normalized result (the record, its problems,
  its stackability links), keyed by a hash of the file's bytes and of everything else checking it
  reads: its provider.yml, the taxonomy, the as-of date and credcat's own code. A file whose key
  matches is not parsed or checked again. Beside the key the store keeps the file's stat (size,
  mtime, ctime, inode), as git's index does: a file whose stat and provider context are the ones
  stored is not even read (`file_stat` says when a stat cannot vouch for the bytes). The keys and
  stats are one small table read whole; the results, another, fetched a batch at a time.
- `outputs.pickle`: for each file of the last site built, the signature of the inputs it was made
  from, and its size, mtime and inode. A page whose signature matches is hard-linked from the
  last site into the new build folder instead of being rendered again; the stat check makes sure
  the file is still the one that build wrote.

A signature is a hash of the values a file is made of. Records enter it by fingerprint (the hash
of their normalized, pickled form) and providers likewise, so a change anywhere in what a page
shows changes its signature. Everything global (code, templates, config, the MkDocs page shell,
the as-of date) goes into every signature through `global_key`. Reuse only ever skips work whose
result would be the same bytes: the tests build a catalog incrementally after each kind of change
and compare with a clean build, byte for byte.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple

from . import model
from .model import Credential, Provider

REPO = Path(__file__).resolve().parents[1]
FORMAT = "2"  # bump when what the cache stores changes shape


def digest(*parts: bytes | str) -> bytes:
    """A 16-byte BLAKE2b hash of the parts, each length-prefixed so no two lists of parts collide."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


CHECKING_CODE = ("cache.py", "errors.py", "jsontext.py", "load.py", "markdown.py", "model.py", "normalize.py",
                 "schema.py", "seal.py", "taxonomy.py", "validate.py")
"""What a record's checked, normalized form depends on."""


def code_key(checking_only: bool = False) -> bytes:
    """A hash of credcat's code and theme, and of the libraries whose output we publish.

    `checking_only`: just the modules that check and normalize a record (a change to a template or
    a page module leaves stored records valid). Read afresh on every call (a few hundred small
    files), since `credcat serve` rebuilds in one process while a developer edits templates.
    """
    parts: list[bytes | str] = [FORMAT, _library_versions()]
    if checking_only:
        files = [REPO / "generator" / name for name in CHECKING_CODE]
    else:
        files = sorted(p for folder in (REPO / "generator", REPO / "theme") for p in folder.rglob("*")
                       if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        parts += [str(path.relative_to(REPO)), path.read_bytes()]
    return digest(*parts)


@lru_cache(maxsize=1)
def _library_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in ("mkdocs", "mkdocs-material", "jinja2", "markdown-it-py", "pycountry", "pyyaml", "lunr", "nltk",
                    "orjson"):
        try:
            found.append(f"{package}=={version(package)}")
        except PackageNotFoundError:
            found.append(f"{package} absent")
    return ";".join(found)


# --- pickling records with their provider by reference -----------------------------------------

class _RecordPickler(pickle.Pickler):
    """Pickles a record with its Provider and the model's classes as references (see record_references).

    A provider is stored once, by id. A class by its number in _CLASSES: pickle's own way, a lookup
    by module and name (an audit event, sys.modules, getattr), is a fifth of unpickling a record.
    Frozen slotted dataclasses (the model's) are pickled as a call of the class with their field
    values: unpickling then runs the generated __init__, about three times quicker than the
    __setstate__ dataclasses gives them, which looks up the fields and sets them one by one.
    """

    def persistent_id(self, obj: Any) -> str | int | None:  # noqa: D102 - pickle's hook
        kind = type(obj)
        if kind is Provider:
            return obj.id
        if kind is type:
            return _CLASS_NUMBERS.get(obj)
        return None

    def reducer_override(self, obj: Any) -> Any:  # noqa: D102 - pickle's hook
        names = _init_fields(type(obj))
        if names is None:
            return NotImplemented
        return type(obj), tuple([getattr(obj, name) for name in names])


@lru_cache(maxsize=None)
def _init_fields(kind: type) -> tuple[str, ...] | None:
    """The fields a frozen slotted dataclass is rebuilt from by calling it; None for any other type."""
    if not (dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen and "__slots__" in kind.__dict__):
        return None
    fields = dataclasses.fields(kind)
    if hasattr(kind, "__post_init__") or not all(f.init and not f.kw_only for f in fields):
        return None
    return tuple(f.name for f in fields)


# The model's classes, numbered in a fixed order. The numbers are stored, but only ever read back by
# the same code: records are keyed by a hash of it (code_key).
_CLASSES = tuple(sorted((kind for kind in vars(model).values() if isinstance(kind, type) and _init_fields(kind)),
                        key=lambda kind: kind.__name__))
_CLASS_NUMBERS = {kind: number for number, kind in enumerate(_CLASSES)}


def dump_record(value: Any) -> bytes:
    """Pickle a (record, problems, links) result with providers and the model's classes by reference."""
    out = io.BytesIO()
    _RecordPickler(out, protocol=5).dump(value)
    return out.getvalue()


def record_references(providers: dict[str, Provider]) -> dict[str | int, Any]:
    """What load_record resolves references with: these providers, by id, and the model's classes, by number.

    The small value classes resolve to makers that give one shared object for equal values: a
    catalog repeats a few seals, skills, costs and levels in every record, and sharing them halves
    the memory a record takes once loaded (7.7 to 4.2 KB at 10,000 records: bench/memory.py). Give
    the same references to every load of one catalog, so all its records share.
    """
    return {**providers, **{number: _shared_maker(kind) if kind in _SHARED else _maker(kind)
                            for number, kind in enumerate(_CLASSES)}}


@lru_cache(maxsize=None)
def _maker(kind: type) -> Callable[..., Any]:
    """A function making a `kind` from its field values, as `kind(*values)` does, in half the time.

    A frozen dataclass's own __init__ sets each field by `object.__setattr__(self, name, value)`,
    which looks the field up on the class; this one calls each field's slot descriptor directly
    (10 fields: 0.83 against 1.67 µs). Loading 100,000 records from the store spent a quarter of
    its time in those __init__s (py-spy). Only for the classes _init_fields accepts: no
    __post_init__, every field set by __init__, so nothing else runs there.
    """
    names = _init_fields(kind)
    assert names is not None, kind
    scope: dict[str, Any] = {"_new": object.__new__, "_kind": kind}
    lines = [f"def make({', '.join(names)}):", "    made = _new(_kind)"]
    for number, name in enumerate(names):
        scope[f"_set{number}"] = kind.__dict__[name].__set__
        lines.append(f"    _set{number}(made, {name})")
    lines.append("    return made")
    exec("\n".join(lines), scope)  # noqa: S102 - made from the model's own field names, as dataclasses does
    return scope["make"]


# Classes whose fields are only text, tuples of text, flags, whole numbers or other shared values:
# equal field values then mean the same output (a Workload's 1 and 1.0 are equal, yet print apart).
_SHARED = frozenset({model.Assessment, model.Cost, model.Duration, model.Level, model.Occupation,
                     model.QualityAssurance, model.Seal, model.SealElement, model.Skill})


def _shared_maker(kind: type) -> Callable[..., Any]:
    """`kind`'s constructor, giving the object made first for equal field values."""
    made: dict[tuple, Any] = {}
    new = _maker(kind)

    def make(*values: Any) -> Any:
        found = made.get(values)
        if found is None:
            found = made[values] = new(*values)
        return found
    return make


def load_record(data: bytes, references: dict[str | int, Any]) -> Any:
    """The inverse of dump_record, with references taken from `references` (see record_references)."""
    unpickler = pickle.Unpickler(io.BytesIO(data))
    unpickler.persistent_load = references.__getitem__  # a lookup in C, not a Python call per reference
    return unpickler.load()


def provider_fingerprint(provider: Provider) -> bytes:
    """A hash of everything a provider's normalized record holds."""
    return digest(pickle.dumps(provider, protocol=5))


class _SignaturePickler(pickle.Pickler):
    """Pickles a page's values with records and providers replaced by their fingerprints."""

    def __init__(self, out: io.BytesIO, fingerprints: "Fingerprints"):
        super().__init__(out, protocol=5)
        self.fingerprints = fingerprints

    def persistent_id(self, obj: Any) -> Any:  # noqa: D102 - pickle's hook
        stand_in = _SIGNED_AS.get(type(obj))
        return None if stand_in is None else stand_in(obj, self.fingerprints)


def sign_as(kind: type, stand_in: Callable[[Any, "Fingerprints"], Any]) -> None:
    """Sign each object of `kind` in a page's values as `stand_in(obj, fingerprints)`, not pickled whole.

    The stand-in must hold everything of the object a page can show (records by fingerprint). A
    list page's Pager, say: its numbers and its hundred records' fingerprints joined, in one call,
    where pickling it called the hook once for each of its objects (141 calls a list page, against
    66 now, measured over the 100,000-record catalog's list pages).
    """
    _SIGNED_AS[kind] = stand_in


_SIGNED_AS: dict[type, Callable[[Any, "Fingerprints"], Any]] = {
    Credential: lambda cred, fingerprints: fingerprints.of(cred),
    Provider: lambda provider, fingerprints: fingerprints.provider(provider),
}


class Fingerprints:
    """Each record's fingerprint (from the validate stage) and each provider's, by id."""

    def __init__(self, records: dict[str, bytes] | None = None):
        self.records: dict[str, bytes] = records or {}
        self.providers: dict[str, bytes] = {}
        self._with_provider: dict[str, bytes] = {}  # `of`, kept: a record is in many pages' signatures

    def provider(self, provider: Provider) -> bytes:
        found = self.providers.get(provider.id)
        if found is None:
            found = self.providers[provider.id] = provider_fingerprint(provider)
        return found

    def of(self, cred: Credential) -> bytes:
        """The record's fingerprint, its provider's included."""
        done = self._with_provider.get(cred.id)
        if done is not None:
            return done
        found = self.records.get(cred.id)
        if found is None:  # a record that did not come through the validate stage (tests, benchmarks)
            found = self.records[cred.id] = digest(dump_record(cred))
        done = self._with_provider[cred.id] = digest(found, self.provider(cred.provider))
        return done

    def of_id(self, cid: str, by_id: dict[str, Credential]) -> bytes:
        """The fingerprint of a linked id, or a fixed value when it is not in the catalog."""
        cred = by_id.get(cid)
        return self.of(cred) if cred is not None else b"missing:" + cid.encode()

    def signature(self, *values: Any) -> bytes:
        """A hash of arbitrary values (pages' template values), records and providers by fingerprint."""
        out = io.BytesIO()
        _SignaturePickler(out, self).dump(values)
        return digest(out.getvalue())


def open_sqlite(path: Path, clean: bool, schema: tuple[str, ...]) -> sqlite3.Connection:
    """A SQLite store at `path` made by `schema`; emptied when `clean`, dropped when damaged or of another FORMAT."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if clean:
        _remove_sqlite(path)

    def connect() -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=60)
        if db.execute("PRAGMA user_version").fetchone()[0] != int(FORMAT):
            db.close()
            _remove_sqlite(path)
            db = sqlite3.connect(path, timeout=60)
            db.execute(f"PRAGMA user_version = {int(FORMAT)}")
        for statement in schema:
            db.execute(statement)
        return db

    try:
        return connect()
    except sqlite3.DatabaseError:
        _remove_sqlite(path)
        return connect()


def _remove_sqlite(path: Path) -> None:
    # The write-ahead log goes too: one left beside a new database would be replayed into it.
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        (path.parent / name).unlink(missing_ok=True)


# --- the record store ---------------------------------------------------------------------------

RACY_NS = 2_000_000_000  # a file changed this recently may change again with the same stat (see file_stat)
# Results are written to the stores as they come, this many bytes at a time, not held to the end
# of the stage: at 750,000 records the held results took gigabytes. Each result is stored under
# what it was made from (a file's key, a chunk's signature), so one written by a build that then
# fails is still true for the next; only forgetting the results a build did not use waits for commit.
FLUSH_BYTES = 32 << 20


def file_stat(path: Path | str, now_ns: int) -> str | None:
    """The file's size, mtime, ctime and inode, to tell later whether it may have changed; None when it cannot tell.

    As git's index does: a file whose stat is the same as when it was read is taken to hold the
    same bytes. Any write changes the ctime, which, unlike the mtime, no program can set back. But
    timestamps are only as fine as the filesystem keeps them (a clock tick; a second on ext3, two on
    FAT), so a file changed less than RACY_NS before `now_ns` (taken before the stat) could be
    written again within the same tick, size unchanged, and keep this very stat: such a file gets
    None and is read again next time.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    if max(st.st_mtime_ns, st.st_ctime_ns) >= now_ns - RACY_NS:
        return None
    return f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}"


class StoredFile(NamedTuple):
    """What the record store knows of one credential file, besides its result."""

    context: bytes  # hash of what checking the file reads besides the file (code, as-of, taxonomy, provider.yml)
    key: bytes  # hash of the context, the file's name and its bytes
    stat: str | None  # file_stat when it was last read; None when it could not vouch for the bytes


class _WrittenAsTheyCome:
    """Rows held for a store's database and written FLUSH_BYTES at a time, each batch committed on its own."""

    db: sqlite3.Connection

    def __init__(self) -> None:
        self._pending: list[tuple] = []
        self._pending_bytes = 0

    def _hold(self, row: tuple, size: int) -> None:
        self._pending.append(row)
        self._pending_bytes += size
        if self._pending_bytes >= FLUSH_BYTES:
            with self.db:
                self._flush()

    def _flush(self) -> None:
        """Write the held rows (inside the caller's transaction)."""
        self._write(self._pending)
        self._pending.clear()
        self._pending_bytes = 0

    def _write(self, rows: list[tuple]) -> None:
        raise NotImplementedError


class RecordStore(_WrittenAsTheyCome):
    """Checked, normalized credential files from earlier builds, in SQLite.

    Two tables, one row per file in each: `files` holds each file's key and stat, and is small
    enough to read whole in every build; `results` holds the result pickled by dump_record (the
    payload) and the payload's hash (the record's fingerprint), fetched a batch of files at a time
    so that only a batch of payloads is held at once.

    A third, `segments`, holds each provider's results again, up to SEGMENT_FILES files' in one
    pickle, with a hash of their names and keys: when every file of a segment is as stored, the
    reader loads them in one go. At 100,000 records that took 2.0-2.2 s against 4.9-5.3 s for the rows one by
    one (fetch and unpickle; /tmp script, two runs): one unpickler, a memo shared by the
    provider's records, and no row per file.
    """

    def __init__(self, folder: Path, clean: bool = False):
        self.path = folder / "records.sqlite"
        self.db = open_sqlite(self.path, clean, (
            "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
            "CREATE TABLE IF NOT EXISTS files (file TEXT PRIMARY KEY, context BLOB, key BLOB, stat TEXT)",
            "CREATE TABLE IF NOT EXISTS results (file TEXT PRIMARY KEY, key BLOB, fingerprint BLOB, payload BLOB)",
            "CREATE TABLE IF NOT EXISTS segments (segment TEXT PRIMARY KEY, keys BLOB, payload BLOB)"))
        super().__init__()  # rows of (file, context, key, stat, fingerprint, payload)
        self._restat: list[tuple[str | None, str]] = []

    def segment(self, name: str, keys: bytes) -> bytes | None:
        """The payload of the segment `name` if it is stored for these very `keys` (see put_segment)."""
        row = self.db.execute("SELECT payload FROM segments WHERE segment = ? AND keys = ?", (name, keys)).fetchone()
        return row[0] if row is not None else None

    def segment_names(self) -> list[str]:
        """The names of the stored segments ("<provider>:<run>")."""
        return [name for (name,) in self.db.execute("SELECT segment FROM segments")]

    def put_segment(self, name: str, keys: bytes, payload: bytes) -> None:
        """Store a segment: `payload` holds its files' results, `keys` says of which names and keys.

        Written at once, not held: a catalog's segments are as large as its results (270 MB at
        100,000 records). A segment stored by a build that then fails is still right: it is read
        only for the very names and keys it holds.
        """
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO segments VALUES (?, ?, ?)", (name, keys, payload))

    def files(self) -> dict[str, StoredFile]:
        """file -> what is stored for it, for every file in the store."""
        rows = self.db.execute("SELECT file, context, key, stat FROM files")
        return {file: StoredFile(context, key, stat) for file, context, key, stat in rows}

    def results(self, files: list[str]) -> dict[str, tuple[bytes, bytes, bytes]]:
        """file -> (key, fingerprint, payload) of the given files (the key says which bytes the result is of)."""
        found = {}
        for start in range(0, len(files), 500):  # bound the parameters per statement (999 in older SQLite)
            part = files[start:start + 500]
            rows = self.db.execute(f"SELECT file, key, fingerprint, payload FROM results WHERE file IN"
                                   f" ({','.join('?' * len(part))})", part)
            found.update((file, (key, fingerprint, payload)) for file, key, fingerprint, payload in rows)
        return found

    def put(self, file: str, context: bytes, key: bytes, stat: str | None, fingerprint: bytes, payload: bytes) -> None:
        """Remember one file's result (written with the next FLUSH_BYTES of results, or by `commit`)."""
        self._hold((file, context, key, stat, fingerprint, payload), len(payload))

    def _write(self, rows: list[tuple]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                            ((file, context, key, stat) for file, context, key, stat, _, _ in rows))
        self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)",
                            ((file, key, fingerprint, payload) for file, _, key, _, fingerprint, payload in rows))

    def restat(self, file: str, stat: str | None) -> None:
        """Remember a stored file's new stat, after its bytes were read and found unchanged (written by `commit`)."""
        self._restat.append((stat, file))

    def commit(self, keep: Iterable[str], segments: Iterable[str] | None = None) -> None:
        """Write what `put` and `restat` collected and forget files no longer in the catalog (and, given the
        names of the catalog's `segments`, the others)."""
        keep = set(keep)
        with self.db:
            self._flush()
            self.db.executemany("UPDATE files SET stat = ? WHERE file = ?", self._restat)
            gone = [(f,) for (f,) in self.db.execute("SELECT file FROM files") if f not in keep]
            self.db.executemany("DELETE FROM files WHERE file = ?", gone)
            self.db.executemany("DELETE FROM results WHERE file = ?", gone)
            if segments is not None:
                present = set(segments)
                self.db.executemany("DELETE FROM segments WHERE segment = ?",
                                    [(name,) for name in self.segment_names() if name not in present])
        self._restat.clear()

    def close(self) -> None:
        self.db.close()


class ResultStore(_WrittenAsTheyCome):
    """Results of whole units of work (a chunk of feed documents, say) by the signature of their inputs.

    Kept in SQLite beside the records; `commit` forgets every result this build did not use, so the
    store holds one build's worth.
    """

    def __init__(self, folder: Path, name: str, clean: bool = False):
        self.path = folder / f"{name}.sqlite"
        self.db = open_sqlite(self.path, clean, ("CREATE TABLE IF NOT EXISTS results (signature BLOB PRIMARY KEY, value BLOB)",))
        self._used: set[bytes] = set()
        super().__init__()  # rows of (signature, pickled value)

    def get(self, signature: bytes) -> Any | None:
        """The stored result made from `signature`, or None."""
        row = self.db.execute("SELECT value FROM results WHERE signature = ?", (signature,)).fetchone()
        if row is None:
            return None
        try:
            value = pickle.loads(row[0])
        except Exception:  # a damaged row is made again, never trusted
            return None
        self._used.add(signature)
        return value

    def signatures(self) -> set[bytes]:
        """The signatures of every stored result."""
        return {signature for (signature,) in self.db.execute("SELECT signature FROM results")}

    def put(self, signature: bytes, value: Any) -> None:
        """Keep a result for the next build (written with the next FLUSH_BYTES of results, or by `commit`)."""
        self._used.add(signature)
        data = pickle.dumps(value, protocol=5)
        self._hold((signature, data), len(data))

    def _write(self, rows: list[tuple]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?)", rows)

    def commit(self) -> None:
        """Write the new results and forget those this build did not use."""
        with self.db:
            self._flush()
            stale = [(sig,) for (sig,) in self.db.execute("SELECT signature FROM results") if sig not in self._used]
            self.db.executemany("DELETE FROM results WHERE signature = ?", stale)

    def close(self) -> None:
        self.db.close()
