"""The build cache: what an incremental build may reuse from the last one, and how it knows it may.

Two stores live in the cache folder (`cache_dir`, default `.credcat-cache/` beside site_config.yml):

- `records.sqlite`: each credential file's checked, normalized result (the record, its problems,
  its stackability links), keyed by a hash of the file's bytes and of everything else checking it
  reads: its provider.yml, the taxonomy, the as-of date and credcat's own code. A file whose key
  matches is not parsed or checked again.
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

import hashlib
import io
import pickle
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from .model import Credential, Provider

REPO = Path(__file__).resolve().parents[1]
FORMAT = "1"  # bump when what the cache stores changes shape


def digest(*parts: bytes | str) -> bytes:
    """A 16-byte BLAKE2b hash of the parts, each length-prefixed so no two lists of parts collide."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


CHECKING_CODE = ("cache.py", "errors.py", "load.py", "markdown.py", "model.py", "normalize.py", "schema.py",
                 "seal.py", "taxonomy.py", "validate.py")  # what a record's checked, normalized form depends on


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
    for package in ("mkdocs", "mkdocs-material", "jinja2", "markdown-it-py", "pycountry", "pyyaml", "lunr", "nltk"):
        try:
            found.append(f"{package}=={version(package)}")
        except PackageNotFoundError:
            found.append(f"{package} absent")
    return ";".join(found)


# --- pickling records with their provider by reference -----------------------------------------

class _RecordPickler(pickle.Pickler):
    """Pickles a record with its Provider as a reference (the provider is stored once, by id)."""

    def persistent_id(self, obj: Any) -> str | None:  # noqa: D102 - pickle's hook
        if type(obj) is Provider:
            return obj.id
        return None


class _RecordUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, providers: dict[str, Provider]):
        super().__init__(io.BytesIO(data))
        self.providers = providers

    def persistent_load(self, pid: str) -> Provider:  # noqa: D102 - pickle's hook
        return self.providers[pid]


def dump_record(value: Any) -> bytes:
    """Pickle a (record, problems, links) result with providers by reference."""
    out = io.BytesIO()
    _RecordPickler(out, protocol=5).dump(value)
    return out.getvalue()


def load_record(data: bytes, providers: dict[str, Provider]) -> Any:
    """The inverse of dump_record, with providers taken from `providers`."""
    return _RecordUnpickler(data, providers).load()


def provider_fingerprint(provider: Provider) -> bytes:
    """A hash of everything a provider's normalized record holds."""
    return digest(pickle.dumps(provider, protocol=5))


class _SignaturePickler(pickle.Pickler):
    """Pickles a page's values with records and providers replaced by their fingerprints."""

    def __init__(self, out: io.BytesIO, fingerprints: "Fingerprints"):
        super().__init__(out, protocol=5)
        self.fingerprints = fingerprints

    def persistent_id(self, obj: Any) -> bytes | None:  # noqa: D102 - pickle's hook
        kind = type(obj)
        if kind is Credential:
            return self.fingerprints.of(obj)
        if kind is Provider:
            return self.fingerprints.provider(obj)
        return None


class Fingerprints:
    """Each record's fingerprint (from the validate stage) and each provider's, by id."""

    def __init__(self, records: dict[str, bytes] | None = None):
        self.records: dict[str, bytes] = records or {}
        self.providers: dict[str, bytes] = {}

    def provider(self, provider: Provider) -> bytes:
        found = self.providers.get(provider.id)
        if found is None:
            found = self.providers[provider.id] = provider_fingerprint(provider)
        return found

    def of(self, cred: Credential) -> bytes:
        """The record's fingerprint, its provider's included."""
        found = self.records.get(cred.id)
        if found is None:  # a record that did not come through the validate stage (tests, benchmarks)
            found = self.records[cred.id] = digest(dump_record(cred))
        return digest(found, self.provider(cred.provider))

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
    """A SQLite store at `path` set up by `schema`: emptied first when `clean`; a damaged file is discarded, never trusted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if clean:
        path.unlink(missing_ok=True)

    def connect() -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=60)
        for statement in schema:
            db.execute(statement)
        return db

    try:
        return connect()
    except sqlite3.DatabaseError:
        path.unlink(missing_ok=True)
        return connect()


# --- the record store ---------------------------------------------------------------------------

class RecordStore:
    """Checked, normalized credential files from earlier builds, in SQLite (one row per file)."""

    def __init__(self, folder: Path, clean: bool = False):
        self.path = folder / "records.sqlite"
        self.db = open_sqlite(self.path, clean, (
            "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
            "CREATE TABLE IF NOT EXISTS records (file TEXT PRIMARY KEY, provider TEXT, key BLOB, payload BLOB)",
            "CREATE INDEX IF NOT EXISTS by_provider ON records (provider)"))
        self._pending: list[tuple[str, str, bytes, bytes]] = []

    def provider_rows(self, provider_id: str) -> dict[str, tuple[bytes, bytes]]:
        """file -> (key, payload) of one provider's files."""
        rows = self.db.execute("SELECT file, key, payload FROM records WHERE provider = ?", (provider_id,))
        return {file: (key, payload) for file, key, payload in rows}

    def put(self, file: str, provider_id: str, key: bytes, payload: bytes) -> None:
        """Remember one file's result (written by `commit`)."""
        self._pending.append((file, provider_id, key, payload))

    def commit(self, keep: Iterable[str]) -> None:
        """Write what `put` collected and forget files no longer in the catalog."""
        keep = set(keep)
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)", self._pending)
            gone = [(f,) for (f,) in self.db.execute("SELECT file FROM records") if f not in keep]
            self.db.executemany("DELETE FROM records WHERE file = ?", gone)
        self._pending.clear()

    def close(self) -> None:
        self.db.close()


class ResultStore:
    """Results of whole units of work (a chunk of feed documents, say) by the signature of their inputs.

    Kept in SQLite beside the records; `commit` forgets every result this build did not use, so the
    store holds one build's worth.
    """

    def __init__(self, folder: Path, name: str, clean: bool = False):
        self.path = folder / f"{name}.sqlite"
        self.db = open_sqlite(self.path, clean, ("CREATE TABLE IF NOT EXISTS results (signature BLOB PRIMARY KEY, value BLOB)",))
        self._used: set[bytes] = set()
        self._pending: list[tuple[bytes, bytes]] = []

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

    def put(self, signature: bytes, value: Any) -> None:
        """Keep a result for the next build (written by `commit`)."""
        self._used.add(signature)
        self._pending.append((signature, pickle.dumps(value, protocol=5)))

    def commit(self) -> None:
        """Write the new results and forget those this build did not use."""
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?)", self._pending)
            stale = [(sig,) for (sig,) in self.db.execute("SELECT signature FROM results") if sig not in self._used]
            self.db.executemany("DELETE FROM results WHERE signature = ?", stale)
        self._pending.clear()

    def close(self) -> None:
        self.db.close()
