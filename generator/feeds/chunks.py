"""The per-credential part of the feeds stage, in fixed chunks of credentials, on several processes.

Each credential gets a JSON document and three exports (files), a line in each of the four bulk
files, a list entry and a content hash. That work is split into chunks of CHUNK credentials in id
order, always cut at the same places whatever the number of processes. `feed_chunk` does one
chunk: a pure function of the chunk's credentials, the catalog and the config that writes the
chunk's files and returns the rest (ChunkResult) for the parent to join in order. Every bulk file
is a concatenation of one gzip member per chunk, so the bytes are the same with one process or
many, and a chunk's result can be reused as long as its inputs are unchanged.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import zlib
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

from ..catalog import Catalog
from ..config import Config
from ..model import Credential
from . import paths
from .documents import credential_document, credential_summary
from .writer import GzipMember, dumps, write_text_file

CHUNK = 1000  # credentials per chunk; fixed, so output never depends on the number of processes
PARALLEL_MIN = 2000  # below this many credentials one process is quicker than starting more
BULK_CREDENTIALS = "credentials"  # ChunkResult.bulk's key for bulk/credentials.ndjson.gz (the others are formats)


@dataclass(frozen=True)
class ChunkResult:
    """What one chunk gives the parent, each in the chunk's id order.

    `hashes` and `summaries` have one entry per credential (content hash; list entry for the paged
    lists); `bulk` maps "credentials" and each export format to the chunk's gzip member of that bulk file.
    """

    hashes: list[str]
    summaries: list[dict]
    bulk: dict[str, bytes]


def chunks(creds: Sequence[Credential]) -> list[tuple[int, int]]:
    """The [start, stop) ranges of the chunks of `creds` (one empty chunk when there are none).

    A chunk ends after each credential whose id hashes to 0 modulo CHUNK, so chunks are CHUNK long
    on average, and at 4 x CHUNK at most. The cuts depend on the ids, not on positions: adding or
    removing a credential changes its own chunk only, and the build cache reuses the others.
    """
    ranges, start = [], 0
    for i, cred in enumerate(creds):
        if zlib.crc32(cred.id.encode("utf-8")) % CHUNK == 0 or i + 1 - start >= 4 * CHUNK:
            ranges.append((start, i + 1))
            start = i + 1
    if start < len(creds) or not ranges:
        ranges.append((start, len(creds)))
    return ranges


def chunk_files(creds: Sequence[Credential], config: Config) -> list[str]:
    """The site-relative files `feed_chunk` writes for `creds`."""
    from ..exports import EXPORTERS

    files = []
    for cred in creds:
        files.append(paths.credential_api_path(cred))
        if config.api_exports:
            files += [paths.export_path(fmt, cred.id) for fmt in EXPORTERS]
    return files


def feed_chunk(creds: Sequence[Credential], catalog: Catalog, config: Config, root: str) -> ChunkResult:
    """Write the documents (and exports) of `creds` under the site folder `root`; return the rest of their output."""
    from ..exports import EXPORTERS

    bulk = {BULK_CREDENTIALS: GzipMember(), **{fmt: GzipMember() for fmt in EXPORTERS}}
    hashes: list[str] = []
    summaries: list[dict] = []
    made: set[str] = set()

    def write(rel: str, text: str) -> None:
        folder = rel.rpartition("/")[0]
        if folder not in made:
            os.makedirs(os.path.join(root, folder), exist_ok=True)  # other chunks may share it
            made.add(folder)
        write_text_file(root, rel, text)

    for cred in creds:
        doc = credential_document(cred, catalog, config)
        text = dumps(doc)
        write(paths.credential_api_path(cred), text)
        bulk[BULK_CREDENTIALS].write_text(text)
        hashes.append(doc["content_hash"])
        summaries.append(credential_summary(doc))
        for fmt, export in EXPORTERS.items():
            exported = dumps(export(cred, config))
            if config.api_exports:
                write(paths.export_path(fmt, cred.id), exported)
            bulk[fmt].write_text(exported)
    return ChunkResult(hashes, summaries, {name: member.finish() for name, member in bulk.items()})


_JOB: tuple[Catalog, Config, str] | None = None  # what forked workers work from


def _chunk_task(chunk: tuple[int, int]) -> ChunkResult:
    assert _JOB is not None
    catalog, config, root = _JOB
    return feed_chunk(catalog.credentials[chunk[0]:chunk[1]], catalog, config, root)


def feed_chunks(catalog: Catalog, config: Config, root: str, jobs: int,
                reused: Callable[[tuple[int, int]], ChunkResult | None] | None = None
                ) -> Iterator[tuple[tuple[int, int], ChunkResult, bool]]:
    """Every chunk's (range, result, made) in id order, computed in `jobs` forked processes for large catalogs.

    `reused(range)` may give a chunk's result from an earlier build (its files already in place);
    such chunks are not computed and come with made=False. At most two chunks per process are in
    flight, so memory stays bounded whatever the catalog's size.
    """
    global _JOB
    tasks = chunks(catalog.credentials)
    _JOB = (catalog, config, root)
    # The catalog is many long-lived objects: freezing them keeps the garbage collector from walking
    # them on every collection (and from touching, so copying, forked workers' pages). No collection
    # first: it would walk them all once (a second at 10,000 credentials), to free a little garbage.
    gc.freeze()
    try:
        if jobs > 1 and len(catalog.credentials) >= PARALLEL_MIN and "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                pending: deque = deque()
                for task in tasks:
                    if len(pending) >= 2 * jobs:
                        done, result, old = pending.popleft()
                        yield done, (old if old is not None else result.get()), old is None
                    old = reused(task) if reused is not None else None
                    pending.append((task, None if old is not None else pool.apply_async(_chunk_task, (task,)), old))
                while pending:
                    done, result, old = pending.popleft()
                    yield done, (old if old is not None else result.get()), old is None
        else:
            for task in tasks:
                old = reused(task) if reused is not None else None
                yield task, (old if old is not None else _chunk_task(task)), old is None
    finally:
        _JOB = None
        gc.unfreeze()
