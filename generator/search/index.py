"""Build the sharded, impact-ordered search index under site/search/index/.

Layout (all files gzipped JSON, decompressed by the browser with DecompressionStream, so the bytes
a query fetches do not depend on how the host compresses):

    index/meta.json.gz            format, version, languages, facets, row layout, shard directory
    index/t/<shard>.json.gz       a range of the sorted vocabulary: [term, df, tiers | postings]
    index/p/<ab>/<cdef...>.<tier>.json.gz
                                  postings of one big term, one tier per file, best first; the
                                  term's file id "abcdef..." is a hash of the term
    index/p/<ab>/<cdef...>.<tier>r.json.gz
                                  the rows of that tier's documents, in the same order
    index/s/<page>.json.gz        result summaries, SUMMARY_PAGE documents per file by doc number
    index/v/<facet>/<page>.json.gz
                                  value keys and labels of a facet too large for meta (providers)

meta's "version" hashes every other file's content (files.py); the browser fetches each file with
`?v=<version>`, so it never takes a file of an earlier build from its cache.
A posting list is {"d": doc-number deltas, "s": impacts}: a tier's postings sorted by doc number
(for small deltas), each with its BM25 impact (x10, an int); the documents' rows (facets.RowCodec:
facet values and sort keys) are a separate file beside it, fetched only when filters, sorting or
counts need them, and then only for the query's rarest word. Rows are 90% of the bytes. Tiers grow 4x (256, 1024, 4096) and only TIERS are written: a term's postings
past its best 5,376 are never fetched, so they are not stored (the index grows with the vocabulary,
not the catalog). Tier 0 of a big term also holds "c": exact facet counts over all its postings, so
a one-word query needs one small file whatever the size, and its count and facet counts are exact.

build.py runs the builder over processes, and with the build cache makes only what changed.
"""
from __future__ import annotations

import hashlib
import math
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, compress, repeat
from operator import sub
from typing import Callable, Iterable, Sequence

from ..cache import digest
from ..catalog import Catalog
from ..config import Config
from ..model import Credential
from .facets import SUMMARY_FIELDS, Facet, RowCodec, build_facets, summary
from .files import Writer, to_json
from .text import SPLIT_CLASS, WORD_CHARS, Pipelines

FORMAT = 2
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
AVG_SAMPLE = 2000  # documents whose field lengths give BM25's average field lengths
ALL = "*"  # the pseudo-term every document has (filters without words); impact = seal score
RETIRED_FACTOR = 0.5
SCALE = 10
FILE_ID_BYTES = 6  # a big term's file id: this many bytes of a hash of the term, in hex


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


def field_lengths(cred: Credential, catalog: Catalog, pipes: Pipelines) -> tuple[int, ...]:
    """How many terms each of FIELDS has in a credential."""
    lengths = dict.fromkeys(FIELDS, 0)
    for fname, lang, text in doc_fields(cred, catalog):
        lengths[fname] += len(pipes(lang).terms(text))
    return tuple(lengths.values())


def avg_lengths(lengths: Sequence[tuple[int, ...]]) -> dict[str, float]:
    """BM25's average field lengths over the documents sampled (the first AVG_SAMPLE), to two significant digits.

    Rounded so that editing one of those documents seldom changes them: every impact depends on
    them, so a change would make every term's files again.
    """
    n = max(1, len(lengths))
    columns = list(zip(*lengths)) or [()] * len(FIELDS)
    return {f: float(f"{max(1.0, sum(column) / n):.2g}") for f, column in zip(FIELDS, columns)}


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
    """Collects postings over chunks of the catalog, then writes shards, tiers and summaries."""

    def __init__(self, catalog: Catalog, config: Config) -> None:
        self.catalog = catalog
        self.config = config
        self.pipes = Pipelines()
        self.facets: list[Facet] = build_facets(catalog, config)
        self.codec = RowCodec(self.facets, catalog)
        self.type_labels = {v: l for f in self.facets if f.key == "type" for v, l in zip(f.values, f.labels)}
        self.rows: list[str] = []
        # Per facet, each document's value number (None: none), or the tuple of them for a multi-valued facet
        self.docvals: list[list] = [[] for _ in self.facets]
        self.docs: dict[str, array] = {}
        self.parts: dict[str, array] = {}
        self.vocab: list[str] = []
        self.langs: set[str] = set()
        self.surface: dict[str, str] = {}
        self.scores = array("I")
        self.summaries: list[str] = []  # each document's summary as JSON
        self.file_ids: dict[str, str] = {}
        self.fragments: defaultdict[str, list[bytes]] = defaultdict(list)  # per term, its chunks' (see collect)

    def collect(self, start: int, stop: int, avg: dict[str, float], fragments: bool = False) -> dict:
        """Tokenize credentials [start, stop) once: (doc, BM25 tf part) per term, rows, summaries.

        The result depends on these credentials alone (surfaces and languages too), so it can be
        stored and joined where the chunk is in a later build (`add_chunk` renumbers it if it moved).
        With `fragments`, it also holds a hash of each term's part of the chunk (its documents, tf
        parts and their rows; for ALL, the chunk's scores and rows), from which `term_inputs` is made.
        """
        creds, catalog, encode, type_labels = self.catalog.credentials, self.catalog, self.codec.encode, self.type_labels
        # array.append over map(): the postings are appended at C speed, not one bytecode loop each
        docs: defaultdict[str, array] = defaultdict(_doc_array)
        parts: defaultdict[str, array] = defaultdict(_part_array)
        docs_of, parts_of = docs.__getitem__, parts.__getitem__
        rows: list[str] = []
        summaries: list[str] = []
        docvals: list[list] = [[] for _ in self.facets]
        keep = [(f.key, vals.append, f.multi) for f, vals in zip(self.facets, docvals)]
        scores = array("I")
        avgs = [avg[f] for f in FIELDS]
        boosts = [BOOSTS[f] * (K1 + 1) for f in FIELDS]
        slots = {f: i for i, f in enumerate(FIELDS)}
        terms_of: dict[str, Callable[[str], list[str]]] = {}  # language tag -> its pipeline's terms()
        seen: dict[str, set[str]] = {}  # pipeline language -> the words it was given, for the surfaces
        for n in range(start, stop):
            cred = creds[n]
            texts: list[list[str] | None] = [None] * len(FIELDS)
            for fname, lang, text in doc_fields(cred, catalog):
                try:
                    terms = terms_of[lang](text)
                except KeyError:
                    pipe = self.pipes(lang)
                    terms_of[lang] = partial(pipe.terms, seen=seen.setdefault(pipe.lang, set()))
                    terms = terms_of[lang](text)
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
            summaries.append(to_json(summary(cred, type_labels)))
        surfaces: dict[str, str] = {}
        for lang, words in seen.items():
            self.pipes(lang).surfaces(words, surfaces)
        hashes: dict[str, bytes] = {}
        if fragments:
            row_of = rows.__getitem__
            local = (-start).__add__  # a document's place in this chunk
            for t, arr in docs.items():
                hashes[t] = digest(arr.tobytes(), parts[t].tobytes(), "\n".join(map(row_of, map(local, arr))))
            hashes[ALL] = digest(scores.tobytes(), "\n".join(rows))
        return {"docs": dict(docs), "parts": dict(parts), "rows": rows, "docvals": docvals, "scores": scores,
                "summaries": summaries, "surfaces": surfaces, "langs": sorted(seen), "start": start,
                "fragments": hashes}

    def add_chunk(self, chunk: dict, start: int) -> None:
        """Join one collect() result, the next range of documents in order, which now starts at document `start`."""
        shift = start - chunk["start"]  # not 0 when records were added or removed before it
        # Where the chunk is now and where its fragments were hashed: with them, they say where its documents are.
        place = start.to_bytes(4, "little") + chunk["start"].to_bytes(4, "little")
        for t, fragment in chunk["fragments"].items():
            self.fragments[t].append(place + fragment)
        for t, arr in chunk["docs"].items():
            if shift:
                arr = array("I", map(shift.__add__, arr))
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
        self.summaries += chunk["summaries"]
        self.langs.update(chunk["langs"])
        for t, w in chunk["surfaces"].items():
            old = self.surface.get(t)
            if old is None or (len(w), w) < (len(old), old):
                self.surface[t] = w

    def finish(self) -> None:
        """After the last chunk: facet value bitmaps, the ALL term, the sorted vocabulary, big terms' file ids."""
        self.value_bitmaps()
        self.docs[ALL] = array("I", range(len(self.rows)))
        self.vocab = sorted(self.docs)
        self.quoted = ['"' + row + '"' for row in self.rows]  # rows as JSON strings (base 36: nothing to escape)
        used: set[str] = set()
        for term in self.vocab:
            if len(self.docs[term]) > INLINE_MAX:
                name = term.encode()
                fid = hashlib.blake2b(name, digest_size=FILE_ID_BYTES).hexdigest()
                while fid in used:  # two terms with one hash (rare): the later one in vocabulary order hashes again
                    name += b"\0"
                    fid = hashlib.blake2b(name, digest_size=FILE_ID_BYTES).hexdigest()
                used.add(fid)
                self.file_ids[term] = fid

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

    def write_terms(self, termids: Iterable[int], writer: Writer) -> list[tuple[int, list, list[tuple[str, bytes]]]]:
        """Write the postings of these vocabulary terms; (term id, shard entry, (path, content id) of each file) per term."""
        n = len(self.rows)
        rows = self.rows
        quoted = self.quoted
        out = []
        for termid in termids:
            term = self.vocab[termid]
            docs = self.docs[term]
            if term == ALL:
                parts: Sequence[float] = self._all_impacts()
                w = 1.0
            else:
                parts = self.parts[term]
                w = idf(len(docs), n) * SCALE
            df = len(docs)
            files: list[tuple[str, bytes]] = []
            if df <= INLINE_MAX:
                entry: list = [term, df, _postings(list(docs), _impacts(parts, w), rows)]
            else:
                fid = self.file_ids[term]
                bounds = tier_bounds(df)[:TIERS]
                order, order_imps = _best(parts, w, bounds[-1][1])
                imp_of = dict(zip(order, order_imps))
                for k, (a, b) in enumerate(bounds):
                    sel = sorted(order[a:b])  # by doc number: docs are sorted, so by index
                    ds = list(map(docs.__getitem__, sel))
                    # JSON spelled out as Writer.write would make it (sorted keys, no spaces): these
                    # files are most of the index, and joining strings is several times faster.
                    head = '{"c":' + to_json(self.counts(docs)) + "," if k == 0 else "{"
                    deltas = ",".join(map(str, map(sub, ds, chain((0,), ds))))
                    impacts = ",".join(map(str, map(imp_of.__getitem__, sel)))
                    path = f"p/{fid[:2]}/{fid[2:]}.{k}"
                    text = f'{head}"d":[{deltas}],"min":{order_imps[b - 1]},"s":[{impacts}]}}'
                    files.append((f"{path}.json.gz", writer.write_json(f"{path}.json.gz", text, fast=k > 0)))
                    text = f'[{",".join(map(quoted.__getitem__, ds))}]'
                    files.append((f"{path}r.json.gz", writer.write_json(f"{path}r.json.gz", text, fast=True)))
                entry = [term, df, [fid, len(bounds)]]
            surface = self.surface.get(term)
            if surface and surface != term:
                entry.append(surface)
            out.append((termid, entry, files))
        return out

    def term_inputs(self, termid: int, base: bytes) -> bytes:
        """A hash of everything a big term's files and shard entry are made of (`base`: what all terms share).

        Its documents, tf parts and their rows enter through the fragments of the chunks it is in
        (collect(fragments=True)), so a term costs a hash per chunk, not per posting.
        """
        term = self.vocab[termid]
        return digest(base, term, self.file_ids[term], self.surface.get(term, ""), b"".join(self.fragments[term]))

    def write_summaries(self, pages: Iterable[int], writer: Writer) -> None:
        """Write these pages of result summaries (SUMMARY_PAGE documents each)."""
        summaries = self.summaries
        for page in pages:
            text = "[" + ",".join(summaries[page * SUMMARY_PAGE:(page + 1) * SUMMARY_PAGE]) + "]"
            writer.write_json(f"s/{page}.json.gz", text)

    def write_shards(self, entries: list[list], writer: Writer) -> list[str]:
        """Pack entries into vocabulary shards of about SHARD_BYTES; return the shard directory."""
        shard: list[str] = []
        shard_bytes, shard_no = 0, 0
        directory: list[str] = []
        for entry in entries:
            text = to_json(entry)
            size = len(text)
            if shard and shard_bytes + size > SHARD_BYTES:
                writer.write_json(f"t/{shard_no}.json.gz", "[" + ",".join(shard) + "]")
                directory.append(entry[0])
                shard, shard_bytes, shard_no = [], 0, shard_no + 1
            shard.append(text)
            shard_bytes += size
        writer.write_json(f"t/{shard_no}.json.gz", "[" + ",".join(shard) + "]")
        return directory

    def meta(self, version: str, directory: list[str], facets: list[dict], files: int) -> dict:
        """meta.json: what the browser needs before its first query."""
        return {
            "format": FORMAT, "version": version, "n": len(self.rows), "langs": self.pipes.languages(self.langs),
            "split": SPLIT_CLASS, "wordchars": WORD_CHARS, "shards": directory, "tier0": TIER0, "growth": TIER_GROWTH,
            "tiers": TIERS, "inline": INLINE_MAX, "spage": SUMMARY_PAGE, "vpage": VALUE_PAGE,
            "summary": list(SUMMARY_FIELDS), "facets": facets, "row": self.codec.layout(), "all": ALL,
            "scale": SCALE, "boosts": BOOSTS, "files": files,
        }

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
