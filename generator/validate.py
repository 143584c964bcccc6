"""Validate stage: read the catalog record by record, check every rule, and hand on normalized records.

The reader streams: each credential file is loaded, checked, normalized and handed to the caller,
then dropped, so memory does not grow with the text already checked. What the catalog-wide rules
need (ids, stackability links) is small and kept. Every problem is collected; none stops the run.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator, NamedTuple, Optional

from .cache import (RecordStore, StoredFile, code_key, digest, dump_record, file_stat, load_record,
                    record_references)
from . import processes
from .errors import Problem, Problems, UsageError
from .load import MAX_FILE_BYTES, CatalogFiles, Document, LoadError, ProviderDir, discover, display_path, load_mapping
from .model import Credential, Provider
from .normalize import normalize_credential, normalize_provider
from .schema import CREDENTIAL, PROVIDER
from .seal import compute_seal
from .taxonomy import Taxonomy, build_taxonomy

CREDENTIAL_FIELDS = frozenset(CREDENTIAL.names())
Link = tuple[str, str, str, int, int, str]  # (source id, relation, target id, line, column, file)
Checked = tuple[Optional[Credential], list[Problem], list[Link]]
PARALLEL_MIN = 1000  # fewer files to check than this: one process is quicker than starting more
BATCH = 2000  # files settled at a time: bounds the pickled results held at once
SEGMENT_FILES = 1000  # a provider's files per stored segment: bounds what one holds, and what an edit stores again
CHUNK = 100  # files per task sent to a worker process
_READER: "CatalogReader | None" = None  # what forked workers check with


# A file to check: (file, provider id, the context when its key is still to be found, else None, display path)
FileCheck = tuple[Path, str, Optional[bytes], str]


def _check_chunk(todo: list[FileCheck]) -> list[tuple[bytes, bytes]]:
    """Check a slice of files in a worker process (the reader is inherited from the parent by fork)."""
    assert _READER is not None
    return [_READER.check_file(*item) for item in todo]


class _Todo(NamedTuple):
    """A credential file to settle: from the record store when it holds a result for this key, else by checking it."""

    file: str  # its path (a Path is made only for a file that is checked)
    provider_id: str
    shown: str  # the file's display path, its name in the store
    context: bytes  # what checking it reads besides the file (CatalogReader._provider_key)
    key: bytes  # hash of the context, the name and the file's bytes (empty without a store, or until checked)
    stat: str | None  # file_stat, taken before the file was read
    stored: bool  # the store holds a result for this very key


READ_STEP = 64 * 1024  # what a file read past its stated size is read by


def _read_bytes(file: Path | str) -> bytes:
    """What a file's key hashes: its bytes (see _read)."""
    return _read(file)[1]


def _read(file: Path | str) -> tuple[bytes | None, bytes]:
    """(the file's bytes, or None when they are not to be checked; what its key hashes: the bytes, or words saying
    why not).

    The loader reports an unreadable file, with its name: its key just must not match a stored one.
    A file over the size cap is not read past it (a hostile file costs no memory): the loader
    reports its size, which is all its result depends on, so its key is made of that.
    """
    try:
        fd = os.open(file, os.O_RDONLY)
    except OSError as exc:
        return None, f"unreadable: {exc}".encode()
    try:
        size = os.fstat(fd).st_size
        # One byte more than the file holds, to see it end; never a buffer of the cap's size (at 1 MB, allocating
        # it took four times as long as reading a record's few kilobytes). A file that grows is read on, to the cap.
        raw = os.read(fd, min(size, MAX_FILE_BYTES) + 1)
        while raw and len(raw) <= MAX_FILE_BYTES:
            more = os.read(fd, min(READ_STEP, MAX_FILE_BYTES + 1 - len(raw)))
            if not more:
                break
            raw += more
        if len(raw) > MAX_FILE_BYTES:
            return None, f"too large: {os.fstat(fd).st_size}".encode()
    except OSError as exc:
        return None, f"unreadable: {exc}".encode()
    finally:
        os.close(fd)
    return raw, raw


def _links(cred: Credential, doc: Document) -> list[Link]:
    """The record's stackability links with where each is written, for the catalog-wide check."""
    raw = doc.data.get("stackability") or {}
    found = []
    for relation in ("part_of", "leads_to"):
        for i, target in enumerate(getattr(cred, relation)):
            loc = ("stackability", relation, i) if isinstance(raw.get(relation), list) else ("stackability", relation)
            line, col = doc.where(loc)
            found.append((cred.id, relation, target, line, col, doc.path))
    return found


class _Batches:
    """Files gathered into batches of BATCH and settled in order, one batch checked while the one before is settled.

    `add` begins a full batch (its checks go to the workers at once) and only then settles the one
    before it, so the workers have the new batch to check while this process loads and stores the
    last one's results; `drain` settles all.
    """

    def __init__(self, reader: "CatalogReader") -> None:
        self.reader = reader
        self.gathering: list[_Todo] = []
        self.begun: tuple | None = None

    def add(self, todo: _Todo) -> Iterator[Credential]:
        self.gathering.append(todo)
        if len(self.gathering) >= BATCH:
            yield from self._next()

    def drain(self) -> Iterator[Credential]:
        if self.gathering:
            yield from self._next()
        yield from self._settle_begun()

    def _next(self) -> Iterator[Credential]:
        begun = self.reader._start(self.gathering)
        self.gathering = []
        yield from self._settle_begun()
        self.begun = begun

    def _settle_begun(self) -> Iterator[Credential]:
        begun, self.begun = self.begun, None
        if begun is not None:
            yield from self.reader._settle(*begun)


@dataclass
class Stats:
    credentials: int = 0
    providers: int = 0
    files: int = 0
    checked: int = 0  # credential files checked anew (the others' results came from the record store)


class _Reporter:
    """Turns (location, message, hint) from shapes and parsers into located Problems for one document."""

    def __init__(self, doc: Document, record: str, sink: Problems):
        self.doc, self.record, self.sink = doc, record, sink
        self.errors = 0
        self.bad_fields: set = set()

    def __call__(self, loc: tuple, message: str, hint: str = "", severity: str = "error") -> None:
        self._add(loc, message, hint, severity, key=False)

    def key(self, loc: tuple, message: str, hint: str = "", severity: str = "error") -> None:
        self._add(loc, message, hint, severity, key=True)

    def _add(self, loc: tuple, message: str, hint: str, severity: str, key: bool) -> None:
        line, col = self.doc.where(loc, key=key)
        if severity == "error":
            self.errors += 1
            if loc:
                self.bad_fields.add(loc[0])
        self.sink.add(Problem(self.doc.path, line, col, severity, message, hint,  # type: ignore[arg-type]
                              field=".".join(str(p) for p in loc), record=self.record))


@dataclass
class CatalogReader:
    """Reads and checks a catalog folder; iterate `credentials()` to stream normalized records."""

    root: Path
    as_of: str
    only: set[Path] | None = None  # check just these files (the rest of the catalog still gives ids)
    problems: Problems = field(default_factory=Problems)
    stats: Stats = field(default_factory=Stats)
    providers: dict[str, Provider] = field(default_factory=dict)
    taxonomy: Taxonomy = field(default_factory=Taxonomy)
    files: CatalogFiles | None = None
    known_ids: set[str] = field(default_factory=set)
    jobs: int = 1  # processes checking files
    store: RecordStore | None = None  # results of earlier runs, reused when a file and what it depends on are unchanged
    advance: Callable[[int], None] | None = None  # told as each credential file is settled (progress)
    fingerprints: dict[str, bytes] = field(default_factory=dict)  # id -> hash of the record's pickled form
    _links: list[Link] = field(default_factory=list)
    _taxonomy_bytes: bytes = b""
    _pool: object = None
    _references: dict = field(default_factory=dict)  # what stored records are loaded with (set by credentials())
    _unsegmented: dict[str, tuple[bytes, int, list]] = field(default_factory=dict)  # segment -> (keys, files, results)
    _segment_of: dict[str, str] = field(default_factory=dict)  # display path -> its segment, for those segments' files
    _segments: list[str] = field(default_factory=list)  # the names of this catalog's segments

    def __post_init__(self) -> None:
        if not self.root.is_dir():
            raise UsageError(f"the catalog folder '{self.root}' does not exist (give another with --catalog DIR)")
        self.files = discover(self.root)
        self.problems.extend(self.files.problems)
        for pdir in self.files.providers:
            self.known_ids.update(f"{pdir.id}/{os.path.splitext(name)[0]}" for name in pdir.credential_names)
        self._load_taxonomy()

    def display(self, file: Path) -> str:
        return display_path(file, self.root)

    def _load_taxonomy(self) -> None:
        tax_file = self.files.taxonomy if self.files else None
        if tax_file is None:
            self.problems.add(Problem(self.display(self.root / "taxonomy"), 0, 0, "error",
                                      "the catalog has no taxonomy/skills.yml",
                                      "add catalog/taxonomy/skills.yml with the skills credentials may name"))
            return
        self.stats.files += 1
        self._taxonomy_bytes = _read_bytes(tax_file)
        try:
            doc = load_mapping(tax_file, self.display(tax_file))
        except LoadError as exc:
            self.problems.add(exc.problem)
            return
        found: list[Problem] = []
        self.taxonomy = build_taxonomy(doc, found)
        self.problems.extend(found)

    def _wanted(self, file: Path) -> bool:
        return self.only is None or file.resolve() in self.only

    def _wanted_names(self, pdir: ProviderDir) -> list[str]:
        """The names of the provider's credential files to check (all of them unless `only` says)."""
        if self.only is None:
            return list(pdir.credential_names)
        folder = pdir.credentials_dir
        return [name for name in pdir.credential_names if self._wanted(folder / name)]

    def read_provider(self, pdir: ProviderDir) -> Provider | None:
        """Check and normalize one provider.yml (None when it is missing or broken)."""
        if pdir.provider_file is None:
            return None
        shown = self.display(pdir.provider_file)
        try:
            doc = load_mapping(pdir.provider_file, shown)
        except LoadError as exc:
            self.problems.add(exc.problem)
            return None
        report = _Reporter(doc, pdir.id, self.problems)
        if not PROVIDER.check(doc.data, (), report, report.key):
            return None
        provider = normalize_provider(pdir.id, doc.data, report, shown)
        return provider if report.errors == 0 else None

    def read_credential(self, file: Path, provider: Provider | None, provider_id: str) -> Credential | None:
        """Check and normalize one credential file; None when it has errors (problems go to self.problems)."""
        cred, problems, links = self.check_credential(file, provider, provider_id)
        self.problems.extend(problems)
        self._links.extend(links)
        return cred

    def check_file(self, file: Path, provider_id: str, context: bytes | None, shown: str) -> tuple[bytes, bytes]:
        """One file checked, with its result pickled: (its key when `context` is given, else b"", the result).

        A file whose key is still to be found (the record store had no row for it) is read once, here,
        and the key hashes the very bytes that were checked.
        """
        provider = self.providers.get(provider_id)
        if context is None:
            return b"", dump_record(self.check_credential(file, provider, provider_id))
        raw, hashed = _read(file)
        return digest(context, shown, hashed), dump_record(self.check_credential(file, provider, provider_id, raw))

    def check_credential(self, file: Path, provider: Provider | None, provider_id: str,
                         raw: bytes | None = None) -> Checked:
        """One credential file's (record or None, problems, stackability links); touches no reader state.

        `raw`: the file's bytes, when already read."""
        cid = f"{provider_id}/{file.stem}"
        shown = self.display(file)
        found = Problems()
        try:
            doc = load_mapping(file, shown, raw)
        except LoadError as exc:
            return None, [Problem(**{**exc.problem.__dict__, "record": cid})], []
        report = _Reporter(doc, cid, found)
        CREDENTIAL.check(doc.data, (), report, report.key)
        if provider is None:
            return None, found.items, []  # without a valid provider, costs in '$' and the seal cannot be resolved
        usable = {k: v for k, v in doc.data.items() if k not in report.bad_fields and k in CREDENTIAL_FIELDS}
        cred = normalize_credential(cid, usable, provider, self.taxonomy.resolver(report), report, self.as_of, shown)
        if cred is None or report.errors:
            return None, found.items, []
        cred = replace(cred, seal=compute_seal(cred, self.as_of))
        return cred, found.items, _links(cred, doc)

    def credentials(self) -> Iterator[Credential]:
        """Every valid credential, provider by provider, in id order; problems collect on the side.

        Files are settled in batches. A file the record store holds with the same stat and context
        is taken from there without being read; any other it holds is read, and taken from there if
        its key (a hash of its bytes and context) is the one stored; the rest are checked (in `jobs`
        forked processes when there are many) and stored, and a file the store has no row for is
        read only by its checker, which finds its key too. Either way each result passes through the
        same pickled form, so a record's fingerprint is the same whether it was checked now or in an
        earlier build.

        One batch is checked while the one before it is settled here (see _Batches): the workers
        do not wait for this process to load their results, nor this process for them.
        """
        assert self.files is not None
        chosen: list[tuple[ProviderDir, list[str]]] = []
        # Providers first, all of them: worker processes forked later must know every provider.
        for pdir in self.files.providers:
            wanted_creds = self._wanted_names(pdir)
            wanted_provider = pdir.provider_file is not None and self._wanted(pdir.provider_file)
            if not wanted_creds and not wanted_provider:
                continue
            self.stats.files += (pdir.provider_file is not None) + len(wanted_creds)
            provider = self.read_provider(pdir)
            if provider is not None:
                self.providers[provider.id] = provider
                self.stats.providers += 1
            chosen.append((pdir, wanted_creds))
        # One set of references for the whole catalog, so equal values are shared across batches.
        self._references = record_references(self.providers)
        batches, done = _Batches(self), False
        code = code_key(checking_only=True) if self.store is not None else b""
        listed = self.store.files() if self.store is not None else {}
        now = time.time_ns()  # taken before any file's stat (see file_stat)
        try:
            with processes.frozen():  # each batch's records are frozen as they come (see _settle)
                for pdir, wanted_creds in chosen:
                    context = self._provider_key(pdir, code) if self.store is not None else b""
                    folder = str(pdir.credentials_dir) + os.sep
                    todos = [self._todo(folder + name, pdir.id, shown, context, listed.get(shown), now)
                             for name, shown in zip(wanted_creds, self._displayed(pdir, wanted_creds))]
                    # A segment holds a run of a provider's files: none is written or read when only some are checked.
                    segmented = self.store is not None and self.only is None
                    for first in range(0, len(todos), SEGMENT_FILES):
                        part = todos[first:first + SEGMENT_FILES]
                        if segmented:
                            name = f"{pdir.id}:{first // SEGMENT_FILES}"
                            self._segments.append(name)
                            found = self._segment(name, part)
                            if found is not None:
                                yield from batches.drain()  # what comes before it, first
                                yield from self._hand_on(found, len(part))
                                continue
                            self._unsegmented[name] = ([], len(part), [])
                            self._segment_of.update((todo.shown, name) for todo in part)
                        for todo in part:
                            yield from batches.add(todo)
                yield from batches.drain()
                done = True
        finally:
            self._close_pool(stopped=not done)
        self._check_links()

    def _provider_key(self, pdir: ProviderDir, code: bytes) -> bytes:
        """What checking this provider's files reads besides each file: code, as-of, taxonomy, provider.yml."""
        provider_bytes = _read_bytes(pdir.provider_file) if pdir.provider_file else b"(none)"
        return digest(code, self.as_of, self._taxonomy_bytes, provider_bytes, str(self.root))

    def _displayed(self, pdir: ProviderDir, names: list[str] | tuple[str, ...]) -> list[str]:
        """The display paths of these credential files of one provider (their folder's part worked out once)."""
        if not names:
            return []
        folder = self.display(pdir.credentials_dir)
        prefix = "" if folder == "." else folder + os.sep
        return [prefix + name for name in names]

    def _todo(self, file: str, provider_id: str, shown: str, context: bytes, row: StoredFile | None,
              now: int) -> _Todo:
        """Whether the store holds this file's result: trusted by the file's stat, else by a hash of its bytes."""
        if self.store is None:
            return _Todo(file, provider_id, shown, context, b"", None, False)
        stat = file_stat(file, now)
        if row is not None and stat is not None and row.stat == stat and row.context == context:
            return _Todo(file, provider_id, shown, context, row.key, stat, True)  # unchanged since it was read
        if row is None:  # its checker reads it and finds its key (check_file)
            return _Todo(file, provider_id, shown, context, b"", stat, False)
        key = digest(context, shown, _read_bytes(file))
        if row.key != key:
            return _Todo(file, provider_id, shown, context, key, stat, False)
        if row.stat != stat:  # the same bytes (touched, copied back, or read too soon after a change last time)
            self.store.restat(shown, stat)
        return _Todo(file, provider_id, shown, context, key, stat, True)

    def _start(self, batch: list[_Todo]) -> tuple[list[_Todo], list, Iterator[tuple[bytes, bytes]]]:
        """A batch begun: its stored results found, the others' checks under way (in the workers, when they run)."""
        found = self._stored_payloads(batch)
        keyed = self.store is not None  # files are then stored by key: a todo without one has it found by its checker
        fresh = self._check_many([(Path(todo.file), todo.provider_id,
                                   todo.context if keyed and not todo.key else None, todo.shown)
                                  for todo, hit in zip(batch, found) if hit is None])
        return batch, found, fresh

    def _settle(self, batch: list[_Todo], found: list, fresh: Iterator[tuple[bytes, bytes]]) -> Iterator[Credential]:
        """A begun batch's results in order: stored ones unpickled, the others as their checks give them, and stored."""
        results: list[tuple[Checked, bytes]] = []
        keys: list[bytes] = []
        references = self._references
        with processes.made_frozen():
            for todo, hit in zip(batch, found):
                if hit is None:
                    key, payload = next(fresh)
                    key = key or todo.key
                    self.stats.checked += 1
                    fingerprint = digest(payload)
                    if self.store is not None:
                        self.store.put(todo.shown, todo.context, key, todo.stat, fingerprint, payload)
                else:
                    key = todo.key
                    fingerprint, payload = hit
                keys.append(key)
                results.append((load_record(payload, references), fingerprint))
        del found, fresh  # the pickled forms are not kept while the records are handed on
        for todo, key, result in zip(batch, keys, results):
            name = self._segment_of.pop(todo.shown, None)
            if name is not None:
                named, files, done = self._unsegmented[name]
                named += (todo.shown, key)
                done.append(result)
                if len(done) == files:  # the segment's last file: it is stored now, not held to the end
                    assert self.store is not None
                    self.store.put_segment(name, digest(*named), dump_record(done))
                    del self._unsegmented[name]
        yield from self._hand_on(results, len(batch))

    def _segment(self, name: str, todos: list[_Todo]) -> list[tuple[Checked, bytes]] | None:
        """The results of these files from the stored segment `name`, when each file is as stored and the segment
        is of these very names and keys; else None."""
        assert self.store is not None
        if not all(todo.stored for todo in todos):
            return None
        payload = self.store.segment(name, digest(*(value for todo in todos for value in (todo.shown, todo.key))))
        if payload is None:
            return None
        with processes.made_frozen():
            try:
                found = load_record(payload, self._references)
            except Exception:  # noqa: BLE001 - a damaged segment: the files' own rows are read instead
                return None
        return found if isinstance(found, list) and len(found) == len(todos) else None

    def _hand_on(self, results: list[tuple[Checked, bytes]], files: int) -> Iterator[Credential]:
        """Collect the problems and links of settled files and yield their records (`files` of them, for progress)."""
        if self.advance is not None:
            self.advance(files)
        for (cred, problems, links), fingerprint in results:
            self.problems.extend(problems)
            self._links.extend(links)
            if cred is not None:
                self.fingerprints[cred.id] = fingerprint
                self.stats.credentials += 1
                yield cred

    def _stored_payloads(self, batch: list[_Todo]) -> list[tuple[bytes, bytes] | None]:
        """(fingerprint, payload) of each file in the batch the store holds a result for, None for the others."""
        if self.store is None:
            return [None] * len(batch)
        rows = self.store.results([todo.shown for todo in batch if todo.stored])
        found: list[tuple[bytes, bytes] | None] = []
        for todo in batch:
            row = rows.get(todo.shown) if todo.stored else None
            # The result must be of this key still (another build may share the store).
            found.append((row[1], row[2]) if row is not None and row[0] == todo.key else None)
        return found

    def _check_many(self, todo: list[FileCheck]) -> Iterator[tuple[bytes, bytes]]:
        """Check files (check_file): in forked worker processes when there are enough of them, which start on them
        at once and give the results in order as they are asked for; else here, now."""
        global _READER
        if self.jobs > 1 and len(todo) >= PARALLEL_MIN and "fork" in multiprocessing.get_all_start_methods():
            if self._pool is None:
                _READER = self
                gc.freeze()  # long-lived objects stay untouched, so forked pages stay shared
                self._pool = multiprocessing.get_context("fork").Pool(self.jobs)
            chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
            return (result for part in self._pool.imap(_check_chunk, chunks) for result in part)
        return iter([self.check_file(*item) for item in todo])

    def _close_pool(self, stopped: bool = False) -> None:
        """End the workers: when the reading `stopped` early, without waiting for the checks still under way."""
        global _READER
        if self._pool is not None:
            if stopped:
                self._pool.terminate()
            else:
                self._pool.close()
            self._pool.join()
            self._pool = None
            _READER = None

    def save_cache(self) -> None:
        """Store this run's newly checked files and drop files no longer in the catalog."""
        if self.store is None or self.files is None:
            return
        self._unsegmented.clear()  # a reading stopped early leaves some providers unsettled: no segment for them
        self._segment_of.clear()
        self.store.commit((shown for pdir in self.files.providers
                           for shown in self._displayed(pdir, pdir.credential_names)),
                          segments=self._segments if self.only is None else None)

    def _check_links(self) -> None:
        for source, relation, target, line, col, path in self._links:
            if target == source:
                self.problems.add(Problem(path, line, col, "error", f"the credential lists itself in {relation}",
                                          "remove the entry", field=f"stackability.{relation}", record=source))
            elif target not in self.known_ids:
                from .errors import did_you_mean

                close = did_you_mean(target, self.known_ids, n=1)
                hint = f"did you mean '{close[0]}'?" if close else \
                    "link only to credentials in this catalog, as <provider>/<slug>"
                self.problems.add(Problem(path, line, col, "error", f"'{target}' is not a credential in this catalog",
                                          hint, field=f"stackability.{relation}", record=source))
        self._links.clear()


def resolve_paths(root: Path, paths: list[Path]) -> set[Path]:
    """The record files meant by PATH arguments (files or folders inside the catalog)."""
    chosen: set[Path] = set()
    root_resolved = root.resolve()
    for path in paths:
        resolved = path.resolve()
        if not resolved.exists():
            raise UsageError(f"'{path}' does not exist")
        if resolved != root_resolved and root_resolved not in resolved.parents:
            raise UsageError(f"'{path}' is not inside the catalog folder '{root}' (give the catalog with --catalog DIR)")
        if resolved.is_dir():
            chosen.update(p.resolve() for p in resolved.rglob("*") if p.suffix in (".yml", ".yaml"))
        else:
            chosen.add(resolved)
    return chosen


def files_with_problems(problems: Problems) -> int:
    """How many distinct files the problems are in."""
    return len({p.path for p in problems.items})
