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

import gc
import gzip
import hashlib
import json
import math
import multiprocessing
import os
import shutil
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from operator import sub
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

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
CHUNK = 2048  # credentials per first-pass task: progress to report, work to balance over the processes
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
        self.folders: set[str] = set()  # folders already made

    def write(self, rel: str, obj: object, fast: bool = False) -> None:
        """Write obj as gzipped JSON at root/rel; `fast` for rarely fetched files (a cheaper gzip level)."""
        self.write_json(rel, _json(obj), fast)

    def write_json(self, rel: str, text: str, fast: bool = False) -> None:
        """Write text, already JSON as `write` would make it, gzipped at root/rel."""
        level = GZIP_FAST if fast else GZIP_LEVEL
        self.pending.append((rel, self.pool.submit(self._store, rel, text.encode(), level)))
        while len(self.pending) > 64:
            self._settle()

    def _store(self, rel: str, data: bytes, level: int) -> str:
        blob = gzip.compress(data, compresslevel=level, mtime=0)
        folder, _, name = rel.rpartition("/")
        if folder not in self.folders:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)
        with open(os.path.join(self.root, rel), "wb") as f:
            f.write(blob)
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


def _json(obj: object) -> str:
    """obj as JSON the way Writer.write spells it."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


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
    return {"d": list(map(sub, ds, chain((0,), ds))), "s": [i for _, i in items], "r": [rows[d] for d in ds]}


# Rough costs in nanoseconds, to choose how to count a facet's values in a term's documents.
_COST = {"doc": 40, "value": 50, "bisect": 350, "bit": 0.07}


@dataclass
class FacetCounter:
    """What counting one facet's values needs: per-document values, runs, bitmaps, and their cost."""

    facet: Facet
    per_doc: list  # value number or None per document; a tuple of them for a multi-valued facet
    per_doc_values: float  # values per document, on average
    by_run: list[int] = field(default_factory=list)  # values whose documents are one run
    edges: list[int] = field(default_factory=list)  # their runs: [start, stop, start, stop, ...]
    by_bitmap: list[int] = field(default_factory=list)  # the other values
    masks: list[int] = field(default_factory=list)  # and their bitmaps
    cost: float = 0.0  # counting by runs and bitmaps, in _COST's nanoseconds


def _doc_array() -> array:
    return array("I")


def _part_array() -> array:
    return array("f")


_append = array.append


class IndexBuilder:
    """Collects postings in one pass over the catalog, then writes shards, tiers and summaries."""

    def __init__(self, catalog: Catalog, config: Config) -> None:
        self.catalog = catalog
        self.config = config
        self.pipes = Pipelines()
        self.facets: list[Facet] = build_facets(catalog, config)
        self.codec = RowCodec(self.facets, catalog)
        self.rows: list[str] = []
        # Per facet, each document's value number (None: none), or the tuple of them for a multi-valued facet
        self.docvals: list[list] = [[] for _ in self.facets]
        self.docs: dict[str, array] = {}
        self.parts: dict[str, array] = {}
        self.vocab: list[str] = []

    def collect(self, start: int, stop: int, writer: Writer, avg: dict[str, float]) -> dict:
        """Tokenize credentials [start, stop) once; (doc, BM25 tf part) per term; write their summaries."""
        type_labels = {v: l for f in self.facets if f.key == "type" for v, l in zip(f.values, f.labels)}
        creds, catalog, encode = self.catalog.credentials, self.catalog, self.codec.encode
        page: list[list] = []
        # array.append over map(): the postings are appended at C speed, not one bytecode loop each
        docs: defaultdict[str, array] = defaultdict(_doc_array)
        parts: defaultdict[str, array] = defaultdict(_part_array)
        docs_of, parts_of = docs.__getitem__, parts.__getitem__
        rows: list[str] = []
        docvals: list[list] = [[] for _ in self.facets]
        keep = [(f.key, vals.append, f.multi) for f, vals in zip(self.facets, docvals)]
        scores = array("I")
        avgs = [avg[f] for f in FIELDS]
        boosts = [BOOSTS[f] * (K1 + 1) for f in FIELDS]
        slots = {f: i for i, f in enumerate(FIELDS)}
        terms_of: dict[str, Callable[[str], list[str]]] = {}  # language tag -> its pipeline's terms()
        for n in range(start, stop):
            cred = creds[n]
            texts: list[list[str] | None] = [None] * len(FIELDS)
            for fname, lang, text in doc_fields(cred, catalog):
                try:
                    terms = terms_of[lang](text)
                except KeyError:
                    terms = (terms_of.setdefault(lang, self.pipes(lang).terms))(text)
                slot = slots[fname]
                old = texts[slot]
                texts[slot] = terms if old is None else old + terms
            factor = RETIRED_FACTOR if cred.retired else 1.0
            # BM25's tf part per term, summed over the fields in FIELDS order (the same float sums).
            tfparts: dict[str, float] = {}
            for slot, terms in enumerate(texts):
                if not terms:
                    continue
                norm = K1 * (1 - B + B * len(terms) / avgs[slot])
                boost = boosts[slot] * factor
                if tfparts:
                    get = tfparts.get
                    tfparts.update({t: get(t, 0.0) + boost * tf / (tf + norm) for t, tf in Counter(terms).items()})
                else:  # 0.0 + x is x
                    tfparts = {t: boost * tf / (tf + norm) for t, tf in Counter(terms).items()}
            deque(map(_append, map(docs_of, tfparts), repeat(n)), maxlen=0)
            deque(map(_append, map(parts_of, tfparts), tfparts.values()), maxlen=0)
            row, numbers = encode(cred)
            rows.append(row)
            for key, add, multi in keep:
                vs = numbers[key]
                add(tuple(vs) if multi else vs[0] if vs else None)
            scores.append(cred.seal.score if cred.seal else 0)
            page.append(summary(cred, type_labels))
            if len(page) == SUMMARY_PAGE or n == stop - 1:
                writer.write(f"s/{n // SUMMARY_PAGE}.json.gz", page)
                page = []
        return {"docs": dict(docs), "parts": dict(parts), "rows": rows, "docvals": docvals, "scores": scores,
                "surfaces": self.pipes.take_surfaces(), "langs": self.pipes.languages()}

    def merge(self, chunks: Iterable[dict]) -> None:
        """Join the results of collect() over consecutive ranges (in order, so doc numbers stay sorted)."""
        self.langs: dict[str, dict] = {}
        self.surface: dict[str, str] = {}
        self.scores = array("I")
        for chunk in chunks:
            self.add_chunk(chunk)
        self.finish()

    def add_chunk(self, chunk: dict) -> None:
        """Join one collect() result, the next range of documents in order."""
        for t, arr in chunk["docs"].items():
            if t in self.docs:
                self.docs[t].extend(arr)
                self.parts[t].extend(chunk["parts"][t])
            else:
                self.docs[t] = arr
                self.parts[t] = chunk["parts"][t]
        self.rows += chunk["rows"]
        for mine, theirs in zip(self.docvals, chunk["docvals"]):
            mine += theirs
        self.scores.extend(chunk["scores"])
        self.langs.update(chunk["langs"])
        for t, w in chunk["surfaces"].items():
            old = self.surface.get(t)
            if old is None or (len(w), w) < (len(old), old):
                self.surface[t] = w

    def finish(self) -> None:
        """After the last chunk: facet value bitmaps, the ALL term, the sorted vocabulary."""
        self.langs = dict(sorted(self.langs.items()))
        self.value_bitmaps()
        self.docs[ALL] = array("I", range(len(self.rows)))
        self.vocab = sorted(self.docs)
        self.quoted = ['"' + row + '"' for row in self.rows]  # rows as JSON strings (base 36: nothing to escape)

    def value_bitmaps(self) -> None:
        """Prepare the two ways to count a facet's values in a term's documents (see `counts`).

        A value whose documents are consecutive numbers (a provider's credentials are read
        together) is counted by bisecting a term's sorted documents at the run's ends. Any other
        value gets a bitmap of its documents: its count in a term is an AND and a popcount
        (`int.bit_count`) of the term's bitmap.
        """
        n = len(self.rows)
        self.counters: list[FacetCounter] = []
        for f, per_doc in zip(self.facets, self.docvals):
            docs_of: list[list[int]] = [[] for _ in f.values]
            if f.multi:
                for d, vs in enumerate(per_doc):
                    for v in vs:
                        docs_of[v].append(d)
            else:
                for d, v in enumerate(per_doc):
                    if v is not None:
                        docs_of[v].append(d)
            fc = FacetCounter(f, per_doc, sum(map(len, docs_of)) / max(1, n))
            for v, ds in enumerate(docs_of):
                if not ds:
                    continue
                if ds[-1] - ds[0] + 1 == len(ds):
                    fc.by_run.append(v)
                    fc.edges += [ds[0], ds[-1] + 1]
                else:
                    fc.by_bitmap.append(v)
                    fc.masks.append(self._bitmap(ds))
            # What counting by structure costs, in the nanoseconds of _COST: two bisections per run,
            # an AND and a popcount over n bits per bitmap.
            fc.cost = len(fc.edges) * _COST["bisect"] + len(fc.masks) * n * _COST["bit"]
            self.counters.append(fc)
        self.docvals = []

    def _bitmap(self, docs: Iterable[int]) -> int:
        """The documents as the bits of an int (document d: the digit at index d of its binary string)."""
        digits = bytearray(b"0") * len(self.rows)
        deque(map(digits.__setitem__, docs, repeat(49)), maxlen=0)  # ord("1"), set without a Python loop
        return int(digits, 2)

    def counts(self, docs: Sequence[int]) -> dict[str, list[int]]:
        """Facet counts over documents (sorted): {facet: [value, count, value, count, ...]} (non-zero only).

        Each facet is counted the cheaper way for this term: over the term's documents (a Counter
        of their values, cost growing with df), or by runs and bitmaps (cost growing with the
        facet's values and the catalog's size), whichever _COST says is less.
        """
        df = len(docs)
        mask: int | None = None
        out: dict[str, list[int]] = {}
        for fc in self.counters:
            f = fc.facet
            if df * (_COST["doc"] + fc.per_doc_values * _COST["value"]) < fc.cost:
                if f.multi:
                    found: dict = Counter(chain.from_iterable(map(fc.per_doc.__getitem__, docs)))
                else:
                    found = Counter(map(fc.per_doc.__getitem__, docs))
                    found.pop(None, None)
            else:
                at = list(map(bisect_left, repeat(docs), fc.edges))
                found = dict(zip(fc.by_run, map(sub, at[1::2], at[::2])))
                if fc.masks:
                    if mask is None:
                        mask = self._bitmap(docs)
                    found.update(zip(fc.by_bitmap, map(int.bit_count, map(mask.__and__, fc.masks))))
            values = sorted(v for v, c in found.items() if c)
            if len(f.values) > MAX_INLINE_VALUES:  # thousands of providers: the top ones only
                values = sorted(sorted(values, key=lambda v: (-found[v], v))[:PAGED_COUNTS])
            out[f.key] = list(chain.from_iterable(zip(values, map(found.__getitem__, values))))
        return out

    def write_terms(self, start: int, stop: int, writer: Writer) -> list[list]:
        """Write the postings of vocabulary terms [start, stop); return their shard entries."""
        n = len(self.rows)
        rows = self.rows
        quoted = self.quoted
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
                entry: list = [term, df, _postings(list(docs), _impacts(parts, w), rows)]
            else:
                bounds = tier_bounds(df)[:TIERS]
                order, order_imps = _best(parts, w, bounds[-1][1])
                imp_of = dict(zip(order, order_imps))
                for k, (a, b) in enumerate(bounds):
                    sel = sorted(order[a:b])  # by doc number: docs are sorted, so by index
                    ds = list(map(docs.__getitem__, sel))
                    # JSON spelled out as Writer.write would make it (sorted keys, no spaces): these
                    # files are most of the index, and joining strings is several times faster.
                    head = '{"c":' + _json(self.counts(docs)) + "," if k == 0 else "{"
                    deltas = ",".join(map(str, map(sub, ds, chain((0,), ds))))
                    impacts = ",".join(map(str, map(imp_of.__getitem__, sel)))
                    path = f"p/{termid // 1000}/{termid}.{k}"
                    writer.write_json(f"{path}.json.gz",
                                      f'{head}"d":[{deltas}],"min":{order_imps[b - 1]},"s":[{impacts}]}}', fast=k > 0)
                    writer.write_json(f"{path}r.json.gz", f'[{",".join(map(quoted.__getitem__, ds))}]', fast=True)
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

    def _all_impacts(self) -> list[float]:
        # Browsing without words: best-documented first (seal score), then by doc number.
        return [1.0 + score for score in self.scores]

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


def _impact(part: float, weight: float) -> int:
    return max(1, round(part * weight))


def _impacts(parts: Iterable[float], weight: float) -> list[int]:
    """_impact of each part (parts are positive, so a round to 0 is the only one raised to 1)."""
    rounded = list(map(round, map(weight.__mul__, parts)))
    return [r or 1 for r in rounded] if 0 in rounded else rounded


def _kth_largest(parts: Sequence[float], k: int) -> float:
    """The k-th largest of parts (1 <= k <= len(parts)), without sorting them all when there are many."""
    if len(parts) > 4 * k:
        # A guess a little below the k-th largest, from a sample; exact if at least k parts reach it.
        sample = sorted(parts[::16], reverse=True)
        guess = sample[min(len(sample) - 1, k // 16 + k // 64 + 8)]
        top = list(filter(guess.__le__, parts))
        if len(top) >= k:
            return sorted(top, reverse=True)[k - 1]
    return sorted(parts, reverse=True)[k - 1]


def _best(parts: Sequence[float], weight: float, k: int) -> tuple[list[int], list[int]]:
    """Indexes of the k best postings by (impact desc, doc asc), and their impacts; rounding only the candidates."""
    if k >= len(parts):
        imps = _impacts(parts, weight)
        order = sorted(range(len(parts)), key=imps.__getitem__, reverse=True)  # stable: ties keep doc order
        return order, list(map(imps.__getitem__, order))
    parts = parts.tolist() if isinstance(parts, array) else parts  # floats made once, not on every pass
    kth = _kth_largest(parts, k)
    # Anything that rounds to the k-th impact or above has part >= (impact - 0.5) / weight.
    impact = _impact(kth, weight)
    floor = (impact - 0.5) / weight if impact > 1 else float("-inf")  # impacts are floored at 1
    cands = list(compress(range(len(parts)), map(floor.__le__, parts)))
    imps = _impacts(map(parts.__getitem__, cands), weight)
    best = sorted(range(len(cands)), key=imps.__getitem__, reverse=True)[:k]  # stable: ties keep doc order
    return list(map(cands.__getitem__, best)), list(map(imps.__getitem__, best))


_JOB: tuple | None = None  # (builder, work folder, average field lengths), inherited by forked workers


def _collect_job(bounds: tuple[int, int]) -> dict:
    builder, work, avg = _JOB  # type: ignore[misc]
    writer = Writer(work)
    out = builder.collect(bounds[0], bounds[1], writer, avg)
    out["files"] = writer.close()
    out["count"] = bounds[1] - bounds[0]
    return out


def _terms_job(bounds: tuple[int, int]) -> dict:
    builder, work, _ = _JOB  # type: ignore[misc]
    writer = Writer(work)
    entries = builder.write_terms(bounds[0], bounds[1], writer)
    return {"entries": entries, "files": writer.close()}


def _run(job: Callable[[tuple[int, int]], dict], ranges: list[tuple[int, int]], jobs: int) -> Iterator[dict]:
    """job over each range, results in order as they come (forked processes when jobs > 1)."""
    if jobs <= 1 or len(ranges) <= 1:
        yield from map(job, ranges)
        return
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        yield from pool.imap(job, ranges, chunksize=1)


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


def _chunks(n: int, jobs: int) -> list[tuple[int, int]]:
    """Ranges of credentials for the first pass: about CHUNK each (whole summary pages), at least `jobs`."""
    if not n:
        return [(0, 0)]
    size = min(CHUNK, -(-n // jobs))
    size = -(-size // SUMMARY_PAGE) * SUMMARY_PAGE
    return [(a, min(n, a + size)) for a in range(0, n, size)]


def build_index(catalog: Catalog, config: Config, search_dir: Path, jobs: int | None = None,
                advance: Callable[[int], None] | None = None) -> dict:
    """Write the index under search_dir/index/ and return meta (also written as meta.json.gz).

    Two passes, each split over `jobs` forked processes (default: the cores, up to 4): tokenizing
    ranges of credentials, then writing ranges of the vocabulary. Output does not depend on `jobs`.
    `advance(k)` is called as the first pass finishes each range of k credentials (they add up
    to the number of credentials); the second pass is not reported.
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
    avg = _avg_lengths(catalog, builder.pipes)  # its words warm the cache the workers inherit
    _JOB = (builder, work, avg)
    # The catalog is millions of long-lived objects: freezing them keeps the garbage collector from
    # walking them on every full collection (a cost that grows with the catalog, paid again and
    # again), and from touching, so copying, the forked workers' pages. As render and feeds do.
    gc.freeze()
    files: list[tuple[str, str]] = []
    try:
        builder.merge(_progress(_run(_collect_job, _chunks(n, jobs), jobs), files, advance))
        term_ranges = _split([len(builder.docs[t]) + 50 for t in builder.vocab], jobs * 4)
        written = list(_run(_terms_job, term_ranges, jobs))
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


def _progress(chunks: Iterable[dict], files: list[tuple[str, str]],
              advance: Callable[[int], None] | None) -> Iterator[dict]:
    """Pass first-pass results on in order, keeping their files and reporting their credentials."""
    for chunk in chunks:
        files += chunk.pop("files")
        if advance is not None and chunk["count"]:
            advance(chunk["count"])
        yield chunk
