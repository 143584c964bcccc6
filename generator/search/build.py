"""Building the index: two passes over forked processes, and with the build cache, only what changed.

The first pass tokenizes chunks of credentials (`IndexBuilder.collect`); the parent joins their
results in order. The second writes the postings of the vocabulary and the result summaries,
in ranges; the parent then writes the vocabulary shards, the facet pages and meta.json.

With the cache (`OutputReuse` and the result store `search.sqlite`), a chunk is cut where a
credential id hashes to 0 modulo CHUNK, so an added or removed credential changes its own chunk
only; a chunk whose records (and the few global inputs of tokenizing) are unchanged takes its
result from the store. A big term whose inputs are unchanged (its documents, tf parts, rows,
surface and file id, and the catalog's size and facets) keeps its files with the content ids the
store holds, without making them. Every other file is made, and kept if its text is unchanged.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from ..cache import Fingerprints, digest
from ..catalog import Catalog, id_runs
from ..config import Config
from ..model import Credential
from .. import processes
from .files import Writer, to_json, version
from .index import AVG_SAMPLE, SUMMARY_PAGE, IndexBuilder, avg_lengths, field_lengths

if TYPE_CHECKING:
    from ..cache import ResultStore
    from ..outputs import OutputReuse

PARALLEL_FROM = 5000  # credentials to tokenize; below this one process is faster
PARALLEL_WORK = 300_000  # postings to write in the second pass; below this one process is faster
# First-pass workers read the records, so they are replaced after this many chunks each and copy little
# of the catalog, however large (processes.py); not sooner, as each warms its own stemming cache.
CHUNKS_PER_WORKER = 24
CHUNK = 512  # credentials per first-pass chunk, on average: a chunk ends after an id hashing to 0 modulo CHUNK


class _Cache:
    """What an incremental build reuses: chunks' collect() results and big terms' file ids, in the result store.

    Signatures hash the global key with everything the value is made of: a chunk's records (by
    fingerprint, their provider's included), the average field lengths, the facets, the row
    layout, the type labels and the taxonomy's skill labels; a term's, see `IndexBuilder.term_inputs`.
    """

    def __init__(self, builder: IndexBuilder, key: bytes, results: ResultStore) -> None:
        self.builder, self.key, self.results = builder, key, results
        catalog = builder.catalog
        fingerprints = Fingerprints(catalog.fingerprints)
        # Each record's fingerprint and its provider's, by position in the catalog (a provider's made once).
        self.records, self.providers = [], []
        for cred in catalog.credentials:
            if cred.id not in fingerprints.records:
                fingerprints.of(cred)  # a record that did not come through the validate stage (tests)
            self.records.append(fingerprints.records[cred.id])
            self.providers.append(fingerprints.provider(cred.provider))
        self.facets = to_json([[f.to_json() for f in builder.facets], builder.codec.layout()])
        self.labels = to_json(sorted((sid, s.label) for sid, s in catalog.taxonomy.skills.items()))
        self.directory = digest(key, b"search-chunks")  # the signatures of the chunks stored
        self.memo = digest(key, b"search-terms")  # big terms' entries and files by their inputs

    def _records(self, start: int, stop: int) -> bytes:
        return b"".join(self.records[start:stop]) + b"".join(self.providers[start:stop])

    def avg_lengths(self) -> dict[str, float]:
        """The average field lengths, the sample's records' field lengths taken from the result store where unchanged."""
        signature = digest(self.key, b"search-avg", self.labels)
        last = self.results.get(signature) or {}
        known: dict[bytes, tuple[int, ...]] = {}  # record and provider fingerprints -> field lengths
        lengths = []
        builder = self.builder
        for i, cred in enumerate(builder.catalog.credentials[:AVG_SAMPLE]):
            record = self.records[i] + self.providers[i]
            found = last.get(record)
            if found is None:
                found = field_lengths(cred, builder.catalog, builder.pipes)
            known[record] = found
            lengths.append(found)
        self.results.put(signature, known)
        return avg_lengths(lengths)

    def chunk_signatures(self, chunks: list[tuple[int, int]], avg: dict[str, float]) -> list[bytes]:
        base = digest(self.key, b"search-chunk", to_json(avg), self.facets, to_json(self.builder.type_labels), self.labels)
        return [digest(base, self._records(a, b)) for a, b in chunks]

    def stored_chunks(self) -> set[bytes]:
        return self.results.get(self.directory) or set()

    def term_base(self) -> bytes:
        return digest(self.key, b"search-term", str(len(self.builder.rows)), self.facets)

    def stored_terms(self) -> dict[bytes, tuple[list, list[tuple[str, bytes]]]]:
        """The last build's big terms: inputs' hash -> (shard entry, (path, content id) of each file)."""
        return self.results.get(self.memo) or {}


_JOB: tuple | None = None  # (builder, index folder, average field lengths, reuse, key, caching), inherited by forked workers


def _collect_job(bounds: tuple[int, int]) -> dict:
    builder, _, avg, _, _, cached = _JOB  # type: ignore[misc]
    return builder.collect(bounds[0], bounds[1], avg, fragments=cached)


def _write_job(task: tuple[list[int], range]) -> dict:
    """Second pass: write the postings of some terms and some pages of summaries."""
    builder, work, _, reuse, key, _ = _JOB  # type: ignore[misc]
    termids, pages = task
    writer = Writer(work, reuse=reuse, key=key, site_rel="search/index/")
    terms = builder.write_terms(termids, writer)
    builder.write_summaries(pages, writer)
    writer.close()
    return {"terms": terms, "ids": writer.ids, "outputs": writer.outputs, "written": writer.written}


def _split(items: Sequence, weights: Sequence[int], parts: int) -> list[list]:
    """items cut into consecutive runs of about equal total weight (at most `parts`, none empty)."""
    total = sum(weights) or 1
    runs: list[list] = [[]]
    acc = 0
    for item, w in zip(items, weights):
        if acc >= total * len(runs) / parts:
            runs.append([])
        runs[-1].append(item)
        acc += w
    return [run for run in runs if run]


def _chunks(creds: Sequence[Credential]) -> list[tuple[int, int]]:
    """Ranges of credentials for the first pass: a chunk ends after each id hashing to 0 modulo CHUNK.

    So an added or removed credential changes its own chunk only (the others are stored), and a
    chunk is never longer than 4 * CHUNK.
    """
    return id_runs(creds, CHUNK)


@dataclass
class IndexReport:
    """What build_index made: meta, and how many files it wrote and kept."""

    meta: dict
    written: int = 0
    kept: int = 0
    outputs: list = field(default_factory=list)  # (site path, kept entry or signature) of every file, for OutputReuse


def build_index(catalog: Catalog, config: Config, search_dir: Path, jobs: int | None = None,
                advance: Callable[[int], None] | None = None, reuse: OutputReuse | None = None,
                key: bytes = b"", results: ResultStore | None = None) -> IndexReport:
    """Write the index under search_dir/index/; its meta (also written as meta.json.gz) and what was written and kept.

    Two passes, each split over `jobs` forked processes (default: the cores, up to 4) when there is
    enough to do: tokenizing chunks of credentials, then writing the postings of the vocabulary
    and the summaries. Output does not depend on `jobs`. `advance(k)` is called as the first pass
    finishes each chunk of k credentials (they add up to the number of credentials); the second
    pass is not reported.

    With `reuse` (the build's OutputReuse) and `results` (the result store), a chunk stored by the
    last build with the same signature is not tokenized again, a big term whose inputs are
    unchanged is not written again (its files' content ids are stored), and every file whose text
    is what the last build wrote is kept in the site; `key` is the build's global key.
    """
    global _JOB
    creds = catalog.credentials
    n = len(creds)
    cores = min(4, os.cpu_count() or 1)
    root = search_dir / "index"
    if root.exists():
        shutil.rmtree(root)
    builder = IndexBuilder(catalog, config)
    cache = _Cache(builder, key, results) if reuse is not None and results is not None else None
    # When computed, its words warm the pipelines' cache the workers inherit.
    avg = cache.avg_lengths() if cache else sampled_avg_lengths(builder)
    chunks = _chunks(creds)
    signatures = cache.chunk_signatures(chunks, avg) if cache else [b""] * len(chunks)
    stored = cache.stored_chunks() if cache else set()
    todo = [c for c, sig in zip(chunks, signatures) if sig not in stored]
    procs = jobs or (cores if sum(b - a for a, b in todo) >= PARALLEL_FROM else 1)
    _JOB = (builder, root, avg, reuse, key, cache is not None)
    # The catalog is millions of long-lived objects: frozen, the garbage collector does not walk
    # them on every full collection (a cost that grows with the catalog, paid again and again), nor
    # touch, so copy, the forked workers' pages (processes.frozen). As render and feeds do.
    try:
        with processes.frozen():
            made = processes.run(_collect_job, todo, procs, CHUNKS_PER_WORKER)
            for (start, stop), sig in zip(chunks, signatures):
                chunk = results.get(sig) if cache and sig in stored else None  # type: ignore[union-attr]
                if chunk is None:
                    # (a chunk the store should have but could not give is made here)
                    chunk = next(made) if sig not in stored else builder.collect(start, stop, avg, fragments=True)
                    if cache:
                        cache.results.put(sig, chunk)
                builder.add_chunk(chunk, start)
                if advance is not None and stop > start:
                    advance(stop - start)
            if cache:
                cache.results.put(cache.directory, set(signatures))
            builder.finish()
            # The parent's writer starts its threads at its first file, after the workers are forked.
            writer = Writer(root, reuse=reuse, key=key, site_rel="search/index/")
            entries: list = [None] * len(builder.vocab)
            memo: dict = {}  # this build's big terms, for the next
            todo_terms, inputs = _kept_terms(builder, cache, writer, entries, memo)
            weights = term_weights(builder, todo_terms)
            procs = jobs or (cores if sum(weights) >= PARALLEL_WORK else 1)
            term_runs = _split(todo_terms, weights, procs * 4)
            pages = range(-(-n // SUMMARY_PAGE))
            page_runs = [range(run[0], run[-1] + 1) for run in _split(pages, [1] * len(pages), len(term_runs) or 1)]
            tasks = [(term_runs[i] if i < len(term_runs) else [], page_runs[i] if i < len(page_runs) else range(0))
                     for i in range(max(len(term_runs), len(page_runs), 1))]
            written = list(processes.run(_write_job, tasks, procs))
    finally:
        _JOB = None
    for result in written:
        for termid, entry, files in result["terms"]:
            entries[termid] = entry
            if termid in inputs:
                memo[inputs[termid]] = (entry, files)
        writer.ids += result["ids"]
        writer.outputs += result["outputs"]
        writer.written += result["written"]
    if cache:
        cache.results.put(cache.memo, memo)
    directory = builder.write_shards(entries, writer)
    facets = builder.facets_json(writer)
    meta = builder.meta(version(writer.ids), directory, facets, len(writer.ids) + 1)
    writer.write("meta.json.gz", meta)
    writer.close()
    kept = sum(1 for _, entry in writer.outputs if not isinstance(entry, bytes))
    return IndexReport(meta, writer.written, kept, writer.outputs)


def sampled_avg_lengths(builder: IndexBuilder) -> dict[str, float]:
    """BM25's average field lengths over the first AVG_SAMPLE credentials (without the build cache)."""
    catalog = builder.catalog
    return avg_lengths([field_lengths(c, catalog, builder.pipes) for c in catalog.credentials[:AVG_SAMPLE]])


def term_weights(builder: IndexBuilder, termids: Sequence[int]) -> list[int]:
    """Roughly how much writing each term's files is, for splitting the second pass: its postings, plus 50."""
    return [len(builder.docs[builder.vocab[t]]) + 50 for t in termids]


def _kept_terms(builder: IndexBuilder, cache: _Cache | None, writer: Writer, entries: list,
                memo: dict) -> tuple[list[int], dict[int, bytes]]:
    """Keep the files of big terms whose inputs are the last build's, their entries into `entries` (and `memo`).

    Returns the terms still to write, and the inputs' hash of each big one among them.
    """
    if cache is None:
        return list(range(len(builder.vocab))), {}
    base = cache.term_base()
    last = cache.stored_terms()
    todo: list[int] = []
    inputs: dict[int, bytes] = {}
    for termid, term in enumerate(builder.vocab):
        if term in builder.file_ids:
            signature = builder.term_inputs(termid, base)
            stored = last.get(signature)
            if stored is not None and writer.keep_known(stored[1]):
                entries[termid] = stored[0]
                memo[signature] = stored
                continue
            inputs[termid] = signature
        todo.append(termid)
    return todo, inputs
