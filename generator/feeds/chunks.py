"""The per-credential part of the feeds stage, in fixed chunks of credentials, on several processes.

Each credential gets a JSON document and three exports (files), a line in each of the four bulk
files, a list entry and a content hash. That work is split into chunks of CHUNK credentials in id
order, always cut at the same places whatever the number of processes. `feed_chunk` does one
chunk: a pure function of the chunk's credentials, the catalog and the config that writes the
chunk's files and returns the rest (ChunkResult) for the parent to join in order. Every bulk file
is a concatenation of one gzip member per chunk, so the bytes are the same with one process or
many, and a chunk's result can be reused as long as its inputs are unchanged.

With the build cache (ChunkCache), each credential's files are signed by what they are made of
(its record and the reverse links its document lists). A chunk whose files all stand in the site
takes its result from the result store; in a chunk that must be made again, only the credentials
whose inputs changed are made: the others' texts are read back from the site's files.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import sqlite3
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from ..cache import Fingerprints, ResultStore, digest
from ..catalog import Catalog, id_runs
from ..config import Config
from ..model import Credential
from ..outputs import made
from .. import processes
from . import paths
from .documents import credential_document, credential_summary
from .writer import GzipMember, dumps, write_text_file

if TYPE_CHECKING:
    from ..outputs import Kept, OutputReuse

CHUNK = 1000  # credentials per chunk; fixed, so output never depends on the number of processes
PARALLEL_MIN = 2000  # below this many credentials one process is quicker than starting more
BULK_RUN = 256  # credentials a bulk member holds, on average (bulk_runs): files 2% larger than members of 1,000; 64 made them 6-11%
CHUNKS_PER_WORKER = 8  # then a worker is replaced, so it copies little of the catalog, however large (processes.py)
BULK_CREDENTIALS = "credentials"  # ChunkResult.bulk's key for bulk/credentials.ndjson.gz (the others are formats)


@dataclass(frozen=True)
class ChunkResult:
    """What one chunk gives the parent, each in the chunk's id order.

    `hashes` and `summaries` have one entry per credential (content hash; list entry for the paged
    lists, encoded); `bulk` maps "credentials" and each export format to the chunk's gzip members
    of that bulk file, one a run (`bulk_runs`); `runs` gives each run's number of credentials and
    the size of its member in each bulk file; `signatures` (with the cache, else empty) what each
    credential's files and list entry are made from.
    """

    hashes: list[str]
    summaries: list[str]
    bulk: dict[str, bytes]
    signatures: list[bytes]
    runs: list[tuple[int, dict[str, int]]] = field(default_factory=list)  # each run's credentials and member sizes


def chunks(creds: Sequence[Credential]) -> list[tuple[int, int]]:
    """The [start, stop) ranges of the chunks of `creds` (one empty chunk when there are none).

    A chunk ends after each credential whose id hashes to 0 modulo CHUNK, so chunks are CHUNK long
    on average, and at 4 x CHUNK at most. The cuts depend on the ids, not on positions: adding or
    removing a credential changes its own chunk only, and the build cache reuses the others.
    """
    return id_runs(creds, CHUNK) or [(0, 0)]


def bulk_runs(creds: Sequence[Credential]) -> list[tuple[int, int]]:
    """A chunk's runs: the [start, stop) ranges of its credentials whose lines make one gzip member of each bulk file.

    Cut by the credentials' ids, as chunks are (catalog.id_runs): after an edit, the runs of the
    chunk that hold no changed credential are copied from the last build's result as compressed,
    and only the edited one's run is compressed again (feed_chunk), where the whole chunk's member was.
    """
    return id_runs(creds, BULK_RUN)


def credential_files(cred: Credential, config: Config) -> list[str]:
    """The site-relative files `feed_chunk` writes for one credential."""
    return file_names(config)(cred.id)


def file_names(config: Config) -> Callable[[str], list[str]]:
    """`credential_files` by credential id, the formats looked up once: a pass over every credential (ChunkCache.plan)
    makes four paths for each of them, and a lookup and a call a path were half of that pass."""
    from ..exports import EXPORTERS

    formats = list(EXPORTERS) if config.api_exports else []
    # Each path is a prefix, the id and a suffix (paths.py): checked here on one id, so they cannot drift apart.
    made = [paths.credential_api_path_for("{}"), *(paths.export_path(fmt, "{}") for fmt in formats)]
    parts = [tuple(path.split("{}")) for path in made]
    assert all(len(pair) == 2 for pair in parts)
    if len(parts) == 1:
        (doc, doc_end), = parts
        return lambda cid: [doc + cid + doc_end]
    return lambda cid: [start + cid + end for start, end in parts]


def feed_chunk(creds: Sequence[Credential], catalog: Catalog, config: Config, root: str,
               signatures: list[bytes] | None = None, site: str = "",
               kept: list[list[tuple[str, Kept]] | None] | None = None,
               earlier: ChunkResult | None = None, stamps: dict[str, bytes] | None = None) -> ChunkResult:
    """Write the documents (and exports) of `creds` under the site folder `root`; return the rest of their output.

    A credential with an entry in `kept` has its files in the folder `site` already, so its texts
    are not made: they are taken from `earlier` (the last build's result for the chunk, when it
    holds a credential with the same signature), else read from the site's files (one that cannot
    be read is made after all, and its entry set to None). Each file written gets its stamp in
    `stamps` (outputs.made).
    """
    from ..exports import EXPORTERS

    names = [BULK_CREDENTIALS, *EXPORTERS]
    parts: dict[str, list[bytes]] = {name: [] for name in names}
    hashes: list[str] = []
    summaries: list[str] = []
    runs: list[tuple[int, dict[str, int]]] = []
    folders: set[str] = set()
    before = _Earlier(earlier) if earlier is not None and signatures else None

    def write(rel: str, text: str) -> None:
        folder = rel.rpartition("/")[0]
        if folder not in folders:
            os.makedirs(os.path.join(root, folder), exist_ok=True)  # other chunks may share it
            folders.add(folder)
        stamped = write_text_file(root, rel, text)
        if stamps is not None:
            stamps[rel] = stamped

    def make_run(start: int, stop: int) -> dict[str, bytes]:
        """The run's member of each bulk file, its credentials' texts taken or made (their hashes and entries noted)."""
        bulk = {name: GzipMember() for name in names}
        for i in range(start, stop):
            cred = creds[i]
            stands = kept is not None and kept[i] is not None
            found = before.texts(signatures[i]) if stands and before is not None else None  # type: ignore[index]
            if found is not None:
                text, exported, content_hash, summary = found
            else:
                texts = _read_back(cred, config, site) if stands else None
                if texts is not None:
                    text, exported = texts
                    doc = json.loads(text)
                else:
                    if kept is not None:
                        kept[i] = None
                    doc = credential_document(cred, catalog, config)
                    text = dumps(doc)
                    write(paths.credential_api_path(cred), text)
                    exported = {}
                    for fmt, export in EXPORTERS.items():
                        exported[fmt] = dumps(export(cred, config))
                        if config.api_exports:
                            write(paths.export_path(fmt, cred.id), exported[fmt])
                content_hash, summary = doc["content_hash"], dumps(credential_summary(doc))
            bulk[BULK_CREDENTIALS].write_text(text)
            for fmt in EXPORTERS:
                bulk[fmt].write_text(exported[fmt])
            hashes.append(content_hash)
            summaries.append(summary)
        return {name: member.finish() for name, member in bulk.items()}

    for start, stop in bulk_runs(creds):
        # A run whose credentials all stand, made of the same inputs as a run of the last build's: copied whole.
        copied = before.run(signatures[start:stop]) if before is not None and kept is not None \
            and all(kept[i] is not None for i in range(start, stop)) else None  # type: ignore[index]
        if copied is not None:
            members, run_hashes, run_summaries = copied
            hashes += run_hashes
            summaries += run_summaries
        else:
            members = make_run(start, stop)
        for name in names:
            parts[name].append(members[name])
        runs.append((stop - start, {name: len(members[name]) for name in names}))
    return ChunkResult(hashes, summaries, {name: b"".join(parts[name]) for name in names}, signatures or [], runs)


class _Earlier:
    """The last build's result for a chunk, by credential signature: the texts of credentials made of the same inputs,
    and its runs' members, by the signatures of their credentials.

    Each run's member holds one line per credential of the run, in the chunk's order; a run's
    members are decompressed when one of its credentials' texts is first asked for.
    """

    def __init__(self, result: ChunkResult):
        self.result = result
        self.position = {signature: i for i, signature in enumerate(result.signatures)}
        self.runs: list[tuple[int, int, dict[str, tuple[int, int]]]] = []  # [start, stop) and each member's bytes
        self.by_inputs: dict[bytes, int] = {}  # a run's credentials' signatures, hashed -> its place in `runs`
        start, offsets = 0, dict.fromkeys(result.bulk, 0)
        for count, sizes in result.runs:
            if set(sizes) != set(offsets):
                break  # not a result this code made: no runs to copy, and the texts are read back from the site
            self.runs.append((start, start + count, {name: (offsets[name], offsets[name] + sizes[name]) for name in sizes}))
            self.by_inputs[digest(b"".join(result.signatures[start:start + count]))] = len(self.runs) - 1
            start += count
            offsets = {name: offsets[name] + sizes[name] for name in sizes}
        self._lines: dict[int, dict[str, list[str]]] = {}  # a run's lines, by its place

    def run(self, signatures: list[bytes]) -> tuple[dict[str, bytes], list[str], list[str]] | None:
        """(each bulk file's member, content hashes, list entries) of the last build's run of credentials made from
        `signatures`, or None when it had none."""
        j = self.by_inputs.get(digest(b"".join(signatures)))
        if j is None:
            return None
        start, stop, where = self.runs[j]
        bulk = self.result.bulk
        return ({name: bulk[name][a:b] for name, (a, b) in where.items()}, self.result.hashes[start:stop],
                self.result.summaries[start:stop])

    def texts(self, signature: bytes) -> tuple[str, dict[str, str], str, str] | None:
        """(document, exports by format, content hash, list entry) of the credential made from `signature`, or None."""
        i = self.position.get(signature)
        if i is None:
            return None
        j = next((j for j, (start, stop, _) in enumerate(self.runs) if start <= i < stop), None)
        if j is None:
            return None
        lines = self._lines.get(j)
        if lines is None:
            start, _, where = self.runs[j]
            lines = self._lines[j] = {
                name: zlib.decompress(self.result.bulk[name][a:b], 16 + zlib.MAX_WBITS).decode("utf-8").split("\n")
                for name, (a, b) in where.items()}
        k = i - self.runs[j][0]
        exported = {name: run_lines[k] for name, run_lines in lines.items() if name != BULK_CREDENTIALS}
        return lines[BULK_CREDENTIALS][k], exported, self.result.hashes[i], self.result.summaries[i]


def _read_back(cred: Credential, config: Config, site: str) -> tuple[str, dict[str, str]] | None:
    """A kept credential's document and export texts, read from the site (exports made if not published); None if unreadable."""
    from ..exports import EXPORTERS

    try:
        text = _read(site, paths.credential_api_path(cred))
        if config.api_exports:
            return text, {fmt: _read(site, paths.export_path(fmt, cred.id)) for fmt in EXPORTERS}
    except (OSError, UnicodeDecodeError):
        return None
    return text, {fmt: dumps(export(cred, config)) for fmt, export in EXPORTERS.items()}


def _read(root: str, rel: str) -> str:
    with open(os.path.join(root, rel), "rb") as fh:
        return fh.read().decode("utf-8")


class ChunkCache:
    """The last build's work a chunk may reuse: its result in the result store, its credentials' files in the site.

    `left` signs every credential in the build process first; `plan` runs where the chunk is worked
    on (perhaps a worker process) and keeps the files that stand; `settle` runs in the parent,
    taking the entries and the result.
    """

    def __init__(self, catalog: Catalog, config: Config, key: bytes, reuse: OutputReuse, results: ResultStore):
        self.catalog, self.config, self.key, self.reuse, self.results = catalog, config, key, reuse, results
        self.fingerprints = Fingerprints(catalog.fingerprints)
        for provider in catalog.providers.values():  # once here, not in every worker process forked from here
            self.fingerprints.provider(provider)
        self._reader: sqlite3.Connection | None = None

    def signatures(self, creds: Sequence[Credential]) -> list[bytes]:
        """What each credential's files and list entry are made of: its record, its provider, the reverse links it lists."""
        part_of, leads_to = self.catalog.part_of_reverse, self.catalog.leads_to_reverse
        records, providers = self.fingerprints.records, self.fingerprints.providers
        head = digest(self.key, b"feeds")
        signed = []
        for cred in creds:
            record = records.get(cred.id)
            if record is None:  # not through the validate stage (tests, benchmarks): `of` fingerprints it
                self.fingerprints.of(cred)
                record = records[cred.id]
            provider = providers.get(cred.provider.id) or self.fingerprints.provider(cred.provider)
            # The hashes with their lengths, then the links (ids hold neither '|' nor a newline): no two inputs run together.
            links = f"{'|'.join(part_of.get(cred.id, ()))}\n{'|'.join(leads_to.get(cred.id, ()))}".encode()
            parts = (head, len(record).to_bytes(4, "little"), record, len(provider).to_bytes(4, "little"), provider, links)
            signed.append(hashlib.blake2b(b"".join(parts), digest_size=16).digest())
        return signed

    def left(self, tasks: Sequence[tuple[int, int]]) -> tuple[dict[int, list[bytes]], int]:
        """Each chunk's credential signatures (by its first position), and how many credentials are in chunks left
        to make: those the result store has no result for, or whose first file does not stand in the site (a site
        copied elsewhere, say, whose files all have new inodes: every chunk is then left, and the workers take it)."""
        stored = self.results.signatures()
        creds, keep, config = self.catalog.credentials, self.reuse.keep, self.config
        signed: dict[int, list[bytes]] = {}
        left = 0
        for start, stop in tasks:
            signed[start] = signatures = self.signatures(creds[start:stop])
            if stop > start and (digest(b"feeds-chunk", b"".join(signatures)) not in stored
                                 or keep(credential_files(creds[start], config)[0], signatures[0]) is None):
                left += stop - start
        return signed, left

    def plan(self, creds: Sequence[Credential], root: str, signatures: list[bytes]) -> ChunkDone:
        """Keep the files of the chunk (its credentials signed by `left`) that stand, and make the rest (nothing at all
        when every file stands)."""
        signature = digest(b"feeds-chunk", b"".join(signatures))  # one length each: joined, they say which they were
        keep_all, config, names = self.reuse.keep_all, self.config, file_names(self.config)
        kept = [keep_all(names(cred.id), sig) for cred, sig in zip(creds, signatures)]
        if all(entries is not None for entries in kept):
            return ChunkDone(signature, signatures, None, [e for entries in kept for e in entries])  # type: ignore[union-attr]
        stamps: dict[str, bytes] = {}
        result = feed_chunk(creds, self.catalog, config, root, signatures, str(self.reuse.site_dir), kept,
                            self._earlier(creds), stamps)
        return ChunkDone(signature, signatures, result, _entries(creds, config, signatures, kept, stamps))

    def settle(self, chunk: tuple[int, int], done: ChunkDone, root: str) -> ChunkResult:
        """In the parent: record the chunk's files and give its result (the stored one when nothing was made)."""
        result = done.result
        if result is None:
            result = self.results.get(done.signature)
            if result is None:  # every file stands but the store lost the result: read it back from them
                creds = self.catalog.credentials[chunk[0]:chunk[1]]
                each = len(done.entries) // max(1, len(creds))
                kept = [done.entries[i * each:(i + 1) * each] for i in range(len(creds))]
                stamps: dict[str, bytes] = {}
                result = feed_chunk(creds, self.catalog, self.config, root, done.signatures,
                                    str(self.reuse.site_dir), kept, stamps=stamps)  # type: ignore[arg-type]
                done = ChunkDone(done.signature, done.signatures, result,
                                 _entries(creds, self.config, done.signatures, kept, stamps))  # type: ignore[arg-type]
                self.results.put(done.signature, result)
        else:
            self.results.put(done.signature, result)
        if chunk[1] > chunk[0]:
            self.results.put(self._at(self.catalog.credentials[chunk[0]].id), done.signature)
        self.reuse.merge(done.entries)
        return result

    def _at(self, first_id: str) -> bytes:
        """Where the result store notes the signature of the chunk that starts with `first_id` (its contents may change)."""
        return digest(self.key, b"feeds-chunk-at", first_id)

    def _earlier(self, creds: Sequence[Credential]) -> ChunkResult | None:
        """The last build's result for the chunk starting where `creds` does, if the store still has it."""
        if not creds:
            return None
        signature = self._lookup(self._at(creds[0].id))
        found = self._lookup(signature) if isinstance(signature, bytes) else None
        return found if isinstance(found, ChunkResult) and len(found.signatures) == len(found.hashes) else None

    def _lookup(self, signature: bytes) -> Any:
        """A value of the result store, read through a read-only connection of this process's own (it may be a
        forked worker, which must neither share the parent's connection nor write); None when it cannot be read."""
        try:
            if self._reader is None:
                self._reader = sqlite3.connect(f"{self.results.path.resolve().as_uri()}?mode=ro", uri=True)
            row = self._reader.execute("SELECT value FROM results WHERE signature = ?", (signature,)).fetchone()
            return pickle.loads(row[0]) if row is not None else None
        except Exception:  # a missing or damaged store: the caller reads the site's files instead
            return None

    def close(self) -> None:
        """Close this process's reader of the result store."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None


@dataclass(frozen=True)
class ChunkDone:
    """What `ChunkCache.plan` hands the parent: the chunk's signature, its credentials' and its files' entries, and
    its result when it was made (None: every file stands, and the result is the stored one)."""

    signature: bytes
    signatures: list[bytes]
    result: ChunkResult | None
    entries: list[tuple[str, Kept | bytes]]


def _entries(creds: Sequence[Credential], config: Config, signatures: list[bytes],
             kept: list[list[tuple[str, Kept]] | None], stamps: dict[str, bytes]) -> list[tuple[str, Kept | bytes]]:
    """Each file's entry for OutputReuse.merge: the kept entry, or the signature of the credential it was made
    for, with the stamp its writer took (`stamps`, by file)."""
    entries: list[tuple[str, Kept | bytes]] = []
    for cred, sig, kept_files in zip(creds, signatures, kept):
        if kept_files is not None:
            entries += kept_files
        else:
            entries += [(rel, made(sig, stamps[rel])) for rel in credential_files(cred, config)]
    return entries


_JOB: tuple[Catalog, Config, str, ChunkCache | None, dict[int, list[bytes]]] | None = None  # what workers work from


def _chunk_task(chunk: tuple[int, int]) -> ChunkDone | ChunkResult:
    assert _JOB is not None
    catalog, config, root, cache, signed = _JOB
    creds = catalog.credentials[chunk[0]:chunk[1]]
    if cache is None:
        return feed_chunk(creds, catalog, config, root)
    return cache.plan(creds, root, signed[chunk[0]])


def _settled(chunk: tuple[int, int], done: ChunkDone | ChunkResult, cache: ChunkCache | None, root: str) -> ChunkResult:
    return done if cache is None else cache.settle(chunk, done, root)  # type: ignore[arg-type]


def feed_chunks(catalog: Catalog, config: Config, root: str, jobs: int, cache: ChunkCache | None = None
                ) -> Iterator[tuple[tuple[int, int], ChunkResult]]:
    """Every chunk's (range, result) in id order, computed in `jobs` forked processes for large catalogs.

    With `cache`, a chunk's files that stand in the site are kept and only what changed is made.
    The chunks are signed here first: when the chunks left to make (`ChunkCache.left`) hold fewer
    than PARALLEL_MIN credentials (a small change), every chunk is checked and made in this
    process, since forked workers would each copy the manifest they check the files against, over
    and over, for little work. At most two chunks per process are in flight, so memory stays
    bounded whatever the catalog's size.
    """
    global _JOB
    tasks = chunks(catalog.credentials)
    signed, work = cache.left(tasks) if cache is not None else ({}, len(catalog.credentials))
    _JOB = (catalog, config, root, cache, signed)
    # The catalog is many long-lived objects: frozen, the garbage collector neither walks them on
    # every collection nor touches (so copies) forked workers' pages (processes.frozen). No
    # collection first: it would walk them all once (a second at 10,000 credentials), to free a little garbage.
    try:
        with processes.frozen():
            workers = jobs if work >= PARALLEL_MIN else 1
            for i, done in enumerate(processes.run(_chunk_task, tasks, workers, CHUNKS_PER_WORKER)):
                yield tasks[i], _settled(tasks[i], done, cache, root)
    finally:
        _JOB = None
