"""Build the sharded, impact-ordered search index under site/search/index/.

Layout (all files gzipped JSON, decompressed by the browser with DecompressionStream, so the bytes
a query fetches do not depend on how the host compresses):

    index/meta.json.gz            format, languages, facets, row layout, shard directory, "dir"
    index/<dir>/t/<shard>.json.gz  a range of the sorted vocabulary: [term, df, tiers | postings]
    index/<dir>/p/<k>/<termid>.<tier>.json.gz
                                   postings of one big term, one tier per file, best first
    index/<dir>/p/<k>/<termid>.<tier>r.json.gz
                                   the rows of that tier's documents, in the same order
    index/<dir>/s/<page>.json.gz   result summaries, SUMMARY_PAGE documents per file by doc number
    index/<dir>/v/<facet>/<page>.json.gz
                                   value keys and labels of a facet too large for meta (providers)

<dir> is a hash of everything written, so a browser never mixes shards of two builds.
A posting list is {"d": doc-number deltas, "s": impacts}: a tier's postings sorted by doc number
(for small deltas), each with its BM25 impact (x10, an int); the documents' rows (facets.RowCodec:
facet values and sort keys) are a separate file beside it, fetched only when filters, sorting or
counts need them, and then only for the query's rarest word. Rows are 90% of the bytes. Tiers grow 4x (256, 1024, 4096) and only TIERS are written: a term's postings
past its best 5,376 are never fetched, so they are not stored (the index grows with the vocabulary,
not the catalog). Tier 0 of a big term also holds "c": exact facet counts over all its postings, so
a one-word query needs one small file whatever the size, and its count and facet counts are exact.
"""
from __future__ import annotations

import gzip
import hashlib
import heapq
import json
import math
import multiprocessing
import os
import shutil
from array import array
from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..catalog import Catalog
from ..config import Config
from ..model import Credential
from .facets import SUMMARY_FIELDS, Facet, RowCodec, build_facets, summary
from .text import SPLIT_CLASS, WORD_CHARS, Pipelines, trim

FORMAT = 1
FIELDS = ("title", "skills", "provider", "tags", "outcomes", "description")
BOOSTS = {"title": 10.0, "skills": 6.0, "provider": 4.0, "tags": 3.0, "outcomes": 2.0, "description": 1.0}
K1, B = 1.2, 0.75
TIER0 = 256
TIER_GROWTH = 4
TIERS = 3  # tiers written per term (256 + 1024 + 4096 postings); beyond them counts come precomputed
INLINE_MAX = 16  # postings kept inside the shard file itself
SHARD_BYTES = 12_000  # raw JSON bytes per vocabulary shard, about 4 KB gzipped
SUMMARY_PAGE = 8
VALUE_PAGE = 256
MAX_INLINE_VALUES = 300  # facets with more values than this are paged (v/<facet>/)
PAGED_COUNTS = 100  # precomputed counts kept per term for a paged facet: its most frequent values
PARALLEL_FROM = 5000  # credentials; below this one process is faster
AVG_SAMPLE = 2000  # documents whose field lengths give BM25's average field lengths
ALL = "*"  # the pseudo-term every document has (filters without words); impact = seal score
RETIRED_FACTOR = 0.5
SCALE = 10
GZIP_LEVEL = 6  # level 9 saves ~1% here and costs three times the time
GZIP_FAST = 4  # deeper tiers: 7% larger than level 6, a third of the time


class Writer:
    """Writes gzipped JSON files deterministically and records a hash of each.

    zlib releases the GIL, so files are compressed and written on a small thread pool. The index's
    digest is taken over the sorted (path, sha256) list, so it depends on the files only, not on
    which thread or process wrote them first.
    """

    def __init__(self, root: Path, threads: int = 2) -> None:
        self.root = root
        self.hashes: list[tuple[str, str]] = []
        self.pool = ThreadPoolExecutor(threads)
        self.pending: deque[tuple[str, Future]] = deque()

    def write(self, rel: str, obj: object, fast: bool = False) -> None:
        """Write obj as gzipped JSON at root/rel; `fast` for rarely fetched files (a cheaper gzip level)."""
        data = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        level = GZIP_FAST if fast else GZIP_LEVEL
        self.pending.append((rel, self.pool.submit(self._store, rel, data, level)))
        while len(self.pending) > 64:
            self._settle()

    def _store(self, rel: str, data: bytes, level: int) -> str:
        blob = gzip.compress(data, compresslevel=level, mtime=0)
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blob)
        return hashlib.sha256(blob).hexdigest()

    def _settle(self) -> None:
        rel, future = self.pending.popleft()
        self.hashes.append((rel, future.result()))

    def close(self) -> list[tuple[str, str]]:
        """Wait for every file, stop the threads, and return (path, sha256) of each file written."""
        while self.pending:
            self._settle()
        self.pool.shutdown()
        return self.hashes


def digest(hashes: list[tuple[str, str]]) -> str:
    """A short hash of a set of files, from their paths and content hashes."""
    h = hashlib.sha256()
    for rel, sha in sorted(hashes):
        h.update(f"{rel}\0{sha}\n".encode())
    return h.hexdigest()[:16]


def doc_fields(cred: Credential, catalog: Catalog) -> list[tuple[str, str, str]]:
    """(field, language tag, text) for everything searchable in a credential."""
    default = cred.title[0][0] if cred.title else (cred.languages[0] if cred.languages else "en")
    out = [("title", lang, text) for lang, text in cred.title]
    skills = []
    for s in cred.skills:
        skills.append(s.label)
        if s.id and s.id in catalog.taxonomy.skills:
            label = catalog.taxonomy.skills[s.id].label
            if label.lower() != s.label.lower():
                skills.append(label)
    out.append(("skills", default, " \n ".join(skills)))
    out.append(("provider", default, cred.provider.name))
    out.append(("tags", default, " \n ".join(cred.tags)))
    out.append(("outcomes", default, " \n ".join(cred.learning_outcomes)))
    out += [("description", lang, text) for lang, text in cred.description_text]
    return out


def _avg_lengths(catalog: Catalog, pipes: Pipelines) -> dict[str, float]:
    totals = dict.fromkeys(FIELDS, 0)
    sample = catalog.credentials[:AVG_SAMPLE]
    for cred in sample:
        for fname, lang, text in doc_fields(cred, catalog):
            totals[fname] += len(pipes(lang).terms(text))
    n = max(1, len(sample))
    return {f: max(1.0, totals[f] / n) for f in FIELDS}


def idf(df: int, n: int) -> float:
    """lunr's BM25 idf."""
    return math.log(1 + abs((n - df + 0.5) / (df + 0.5)))


def tier_bounds(df: int) -> list[tuple[int, int]]:
    """(start, end) of each tier of a posting list of length df."""
    bounds, start, size = [], 0, TIER0
    while start < df:
        bounds.append((start, min(df, start + size)))
        start += size
        size *= TIER_GROWTH
    return bounds


def _postings(docs: Sequence[int], imps: Sequence[int], rows: list[str]) -> dict:
    items = sorted(zip(docs, imps))  # by doc number (each doc once)
    ds = [d for d, _ in items]
    return {"d": [b - a for a, b in zip([0] + ds, ds)], "s": [i for _, i in items], "r": [rows[d] for d in ds]}


class IndexBuilder:
    """Collects postings in one pass over the catalog, then writes shards, tiers and summaries."""

    def __init__(self, catalog: Catalog, config: Config) -> None:
        self.catalog = catalog
        self.config = config
        self.pipes = Pipelines()
        self.facets: list[Facet] = build_facets(catalog, config)
        self.codec = RowCodec(self.facets, catalog)
        self.rows: list[str] = []
        self.docvals: list[tuple[int, ...]] = []  # global facet value numbers per doc, for counts
        offsets, total = {}, 0
        for f in self.facets:
            offsets[f.key] = total
            total += len(f.values)
        self.value_offsets = offsets
        self.docs: dict[str, array] = {}
        self.parts: dict[str, array] = {}
        self.vocab: list[str] = []

    def collect(self, start: int, stop: int, writer: Writer, avg: dict[str, float]) -> dict:
        """Tokenize credentials [start, stop) once; (doc, BM25 tf part) per term; write their summaries."""
        type_labels = {v: l for f in self.facets if f.key == "type" for v, l in zip(f.values, f.labels)}
        page: list[list] = []
        docs: dict[str, array] = {}
        parts: dict[str, array] = {}
        rows: list[str] = []
        docvals: list[tuple[int, ...]] = []
        avgs = [avg[f] for f in FIELDS]
        boosts = [BOOSTS[f] * (K1 + 1) for f in FIELDS]
        slots = {f: i for i, f in enumerate(FIELDS)}
        for n in range(start, stop):
            cred = self.catalog.credentials[n]
            counts: list[Counter | None] = [None] * len(FIELDS)
            lengths = [0] * len(FIELDS)
            for fname, lang, text in doc_fields(cred, self.catalog):
                terms = self.pipes(lang).terms(text)
                slot = slots[fname]
                lengths[slot] += len(terms)
                if counts[slot] is None:
                    counts[slot] = Counter(terms)
                else:
                    counts[slot].update(terms)
            factor = RETIRED_FACTOR if cred.retired else 1.0
            tfparts: dict[str, float] = {}
            get = tfparts.get
            for slot, cnt in enumerate(counts):
                if not cnt:
                    continue
                norm = K1 * (1 - B + B * lengths[slot] / avgs[slot])
                boost = boosts[slot] * factor
                for t, tf in cnt.items():
                    tfparts[t] = get(t, 0.0) + boost * tf / (tf + norm)
            for t, part in tfparts.items():
                d = docs.get(t)
                if d is None:
                    d = docs[t] = array("I")
                    parts[t] = array("f")
                d.append(n)
                parts[t].append(part)
            row, numbers = self.codec.encode(cred)
            rows.append(row)
            docvals.append(tuple(self.value_offsets[key] + v for key, vs in numbers.items() for v in vs))
            page.append(summary(cred, type_labels))
            if len(page) == SUMMARY_PAGE or n == stop - 1:
                writer.write(f"s/{n // SUMMARY_PAGE}.json.gz", page)
                page = []
        return {"docs": docs, "parts": parts, "rows": rows, "docvals": docvals, "surfaces": self.surfaces(),
                "langs": self.pipes.languages()}

    def merge(self, chunks: list[dict]) -> None:
        """Join the results of collect() over consecutive ranges (in order, so doc numbers stay sorted)."""
        self.langs: dict[str, dict] = {}
        self.surface: dict[str, str] = {}
        for chunk in chunks:
            for t, arr in chunk["docs"].items():
                if t in self.docs:
                    self.docs[t].extend(arr)
                    self.parts[t].extend(chunk["parts"][t])
                else:
                    self.docs[t] = arr
                    self.parts[t] = chunk["parts"][t]
            self.rows += chunk["rows"]
            self.docvals += chunk["docvals"]
            self.langs.update(chunk["langs"])
            for t, w in chunk["surfaces"].items():
                old = self.surface.get(t)
                if old is None or (len(w), w) < (len(old), old):
                    self.surface[t] = w
        self.langs = dict(sorted(self.langs.items()))
        self.value_bitmaps()
        self.docs[ALL] = array("I", range(len(self.rows)))
        self.vocab = sorted(self.docs)

    def _bitmap(self, docs: Iterable[int]) -> int:
        bits = bytearray(len(self.rows) // 8 + 1)
        for d in docs:
            bits[d >> 3] |= 1 << (d & 7)
        return int.from_bytes(bits, "little")

    def value_bitmaps(self) -> None:
        """One bitmap of documents per facet value, so a term's counts are ANDs and popcounts."""
        docs_of: list[list[int]] = [[] for _ in range(sum(len(f.values) for f in self.facets))]
        for n, values in enumerate(self.docvals):
            for v in values:
                docs_of[v].append(n)
        self.masks = [self._bitmap(ds) if ds else 0 for ds in docs_of]
        self.docvals = []

    def counts(self, docs: Iterable[int]) -> dict[str, list[int]]:
        """Facet counts over documents: {facet: [value, count, value, count, ...]} (non-zero only)."""
        mask = self._bitmap(docs)
        out: dict[str, list[int]] = {}
        for f in self.facets:
            off = self.value_offsets[f.key]
            flat: list[int] = []
            pairs = []
            for v in range(len(f.values)):
                vm = self.masks[off + v]
                c = (mask & vm).bit_count() if vm else 0
                if c:
                    pairs.append((v, c))
            if len(f.values) > MAX_INLINE_VALUES:  # thousands of providers: the top ones only
                pairs = sorted(sorted(pairs, key=lambda p: (-p[1], p[0]))[:PAGED_COUNTS])
            for v, c in pairs:
                flat += [v, c]
            out[f.key] = flat
        return out

    def write_terms(self, start: int, stop: int, writer: Writer) -> list[list]:
        """Write the postings of vocabulary terms [start, stop); return their shard entries."""
        n = len(self.rows)
        entries = []
        for termid in range(start, stop):
            term = self.vocab[termid]
            docs = self.docs[term]
            if term == ALL:
                parts: Sequence[float] = self._all_impacts()
                w = 1.0
            else:
                parts = self.parts[term]
                w = idf(len(docs), n) * SCALE
            df = len(docs)
            if df <= INLINE_MAX:
                entry: list = [term, df, _postings(list(docs), [_impact(p, w) for p in parts], self.rows)]
            else:
                bounds = tier_bounds(df)[:TIERS]
                order = _best(parts, w, bounds[-1][1])
                imps = {i: _impact(parts[i], w) for i in order}
                for k, (a, b) in enumerate(bounds):
                    sel = order[a:b]
                    obj = _postings([docs[i] for i in sel], [imps[i] for i in sel], self.rows)
                    rows = obj.pop("r")
                    obj["min"] = imps[order[b - 1]]
                    if k == 0:
                        obj["c"] = self.counts(docs)
                    writer.write(f"p/{termid // 1000}/{termid}.{k}.json.gz", obj, fast=k > 0)
                    writer.write(f"p/{termid // 1000}/{termid}.{k}r.json.gz", rows, fast=True)
                entry = [term, df, [termid, len(bounds)]]
            surface = self.surface.get(term)
            if surface and surface != term:
                entry.append(surface)
            entries.append(entry)
        return entries

    def write_shards(self, entries: list[list], writer: Writer) -> list[str]:
        """Pack entries into vocabulary shards of about SHARD_BYTES; return the shard directory."""
        shard: list[list] = []
        shard_bytes, shard_no = 0, 0
        directory: list[str] = []
        for entry in entries:
            size = len(json.dumps(entry, ensure_ascii=False))
            if shard and shard_bytes + size > SHARD_BYTES:
                writer.write(f"t/{shard_no}.json.gz", shard)
                directory.append(entry[0])
                shard, shard_bytes, shard_no = [], 0, shard_no + 1
            shard.append(entry)
            shard_bytes += size
        writer.write(f"t/{shard_no}.json.gz", shard)
        return directory

    def surfaces(self) -> dict[str, str]:
        """For each term, the shortest word that stems to it: how suggestions are spelled."""
        out: dict[str, str] = {}
        for pipe in self.pipes.by_lang.values():
            for word, term in pipe.cache.items():
                if term:
                    w = trim(word)
                    old = out.get(term)
                    if old is None or (len(w), w) < (len(old), old):
                        out[term] = w
        return out

    def _all_impacts(self) -> list[float]:
        # Browsing without words: best-documented first (seal score), then by doc number.
        score_at = self.codec.layout()
        return [1.0 + _row_score(r, score_at) for r in self.rows]

    def facets_json(self, writer: Writer) -> list[dict]:
        """Facet definitions for meta.json; large value lists go to paged files."""
        out = []
        for f in self.facets:
            obj = f.to_json()
            if len(f.values) > MAX_INLINE_VALUES:
                pages = []
                for start in range(0, len(f.values), VALUE_PAGE):
                    writer.write(f"v/{f.key}/{start // VALUE_PAGE}.json.gz",
                                 [f.values[start:start + VALUE_PAGE], f.labels[start:start + VALUE_PAGE]])
                    pages.append(f.values[start])
                obj.pop("values")
                obj.pop("labels")
                obj["pages"] = pages
                obj["count"] = len(f.values)
            out.append(obj)
        return out


def _row_score(row: str, layout: list[list]) -> int:
    from .facets import decode_row

    value = decode_row(row, layout)["score"]
    return int(value) if isinstance(value, int) else 0


def _impact(part: float, weight: float) -> int:
    return max(1, round(part * weight))


def _best(parts: Sequence[float], weight: float, k: int) -> list[int]:
    """Indexes of the k best postings by (impact desc, doc asc), rounding only the candidates."""
    if k >= len(parts):
        return sorted(range(len(parts)), key=lambda i: -_impact(parts[i], weight))
    kth = heapq.nlargest(k, parts)[-1]
    # Anything that rounds to the k-th impact or above has part >= (impact - 0.5) / weight.
    impact = _impact(kth, weight)
    floor = (impact - 0.5) / weight if impact > 1 else float("-inf")  # impacts are floored at 1
    cands = [i for i, p in enumerate(parts) if p >= floor]
    cands.sort(key=lambda i: -_impact(parts[i], weight))  # stable: ties keep doc order
    return cands[:k]


_JOB: tuple | None = None  # (builder, work folder, average field lengths), inherited by forked workers


def _collect_job(bounds: tuple[int, int]) -> dict:
    builder, work, avg = _JOB  # type: ignore[misc]
    writer = Writer(work)
    out = builder.collect(bounds[0], bounds[1], writer, avg)
    out["files"] = writer.close()
    return out


def _terms_job(bounds: tuple[int, int]) -> dict:
    builder, work, _ = _JOB  # type: ignore[misc]
    writer = Writer(work)
    entries = builder.write_terms(bounds[0], bounds[1], writer)
    return {"entries": entries, "files": writer.close()}


def _run(job: Callable[[tuple[int, int]], dict], ranges: list[tuple[int, int]], jobs: int) -> list[dict]:
    if jobs <= 1 or len(ranges) <= 1:
        return [job(r) for r in ranges]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return pool.map(job, ranges, chunksize=1)


def _split(weights: Sequence[int], parts: int, align: int = 1) -> list[tuple[int, int]]:
    """Consecutive ranges of about equal total weight, each start a multiple of align."""
    total = sum(weights) or 1
    ranges, start, acc = [], 0, 0
    for i, w in enumerate(weights):
        acc += w
        if acc >= total * (len(ranges) + 1) / parts and (i + 1) % align == 0 and i + 1 < len(weights):
            ranges.append((start, i + 1))
            start = i + 1
    ranges.append((start, len(weights)))
    return [r for r in ranges if r[0] < r[1]]


def build_index(catalog: Catalog, config: Config, search_dir: Path, jobs: int | None = None) -> dict:
    """Write the index under search_dir/index/ and return meta (also written as meta.json.gz).

    Two passes, each split over `jobs` forked processes (default: the cores, up to 4): tokenizing
    ranges of credentials, then writing ranges of the vocabulary. Output does not depend on `jobs`.
    """
    global _JOB
    n = len(catalog.credentials)
    if jobs is None:
        jobs = min(4, os.cpu_count() or 1) if n >= PARALLEL_FROM else 1
    root = search_dir / "index"
    if root.exists():
        shutil.rmtree(root)
    work = root / "_new"
    builder = IndexBuilder(catalog, config)
    avg = _avg_lengths(catalog, Pipelines())
    _JOB = (builder, work, avg)
    try:
        doc_ranges = _split([1] * n, jobs, SUMMARY_PAGE) if n else [(0, 0)]
        chunks = _run(_collect_job, doc_ranges, jobs)
        files = [f for c in chunks for f in c.pop("files")]
        builder.merge(chunks)
        del chunks
        term_ranges = _split([len(builder.docs[t]) + 50 for t in builder.vocab], jobs * 4)
        written = _run(_terms_job, term_ranges, jobs)
    finally:
        _JOB = None
    entries = [e for w in written for e in w["entries"]]
    files += [f for w in written for f in w["files"]]
    writer = Writer(work)
    directory = builder.write_shards(entries, writer)
    facets = builder.facets_json(writer)
    files += writer.close()
    dir_name = digest(files)
    work.rename(root / dir_name)
    meta = {
        "format": FORMAT, "dir": dir_name, "n": n, "langs": builder.langs,
        "split": SPLIT_CLASS, "wordchars": WORD_CHARS, "shards": directory, "tier0": TIER0, "growth": TIER_GROWTH,
        "tiers": TIERS, "inline": INLINE_MAX, "spage": SUMMARY_PAGE, "vpage": VALUE_PAGE,
        "summary": list(SUMMARY_FIELDS), "facets": facets, "row": builder.codec.layout(), "all": ALL,
        "scale": SCALE, "boosts": BOOSTS, "files": len(files) + 1,
    }
    top = Writer(root, threads=1)
    top.write("meta.json.gz", meta)
    top.close()
    return meta
