"""The query algorithm in Python, reading the built index files: the reference for search.js.

It fetches what the browser fetches (meta, the vocabulary shards of the query's terms, postings
tiers best first, summaries of the results shown), counts the gzipped bytes, and ranks the same
way, so relevance tests and the benchmark run here and a browser test checks the JS agrees.

Algorithm: each word becomes its index terms under every language's pipeline (the last word also
matches terms it is a prefix of, at PREFIX_WEIGHT); a word's score for a document is its best term
impact; words combine with AND (sum of scores), falling back to OR when AND finds nothing. Tiers
are fetched until the top results are certain (Fagin's threshold: no unseen document can beat the
last one shown) or every written tier is fetched (then words known in full are required and very
common ones only add to the score); counts are exact when every posting was seen, precomputed
for a one-word query, and otherwise estimated and flagged `approximate`.
"""
from __future__ import annotations

import bisect
import gzip
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from .facets import decode_row
from .text import Pipeline, split, trim

EXACT_WEIGHT, PREFIX_WEIGHT = 5, 3  # integers, so scores are exact and JS and Python tie alike
PREFIX_MAX = 6
PREFIX_MIN = 2
PAGE = 20
PAGED_SHOWN = 20  # values listed for a facet with paged labels (providers of a very large catalog)
EXACT_COUNT_POSTINGS = 1500  # once the top is settled, fetch this many more postings at most for exact counts
SORTS = ("relevance", "workload", "cost", "seal", "verified")


class IndexFiles:
    """Reads index files from a built site folder, counting gzipped bytes of each distinct file."""

    def __init__(self, search_dir: Path) -> None:
        self.root = search_dir / "index"
        self.fetched: dict[str, int] = {}
        self.meta = self.load("meta.json.gz", top=True)

    def load(self, rel: str, top: bool = False) -> object:
        """One gzipped JSON file, relative to index/ (`top`: meta, which the browser fetches without ?v=)."""
        blob = (self.root / rel).read_bytes()
        self.fetched[rel] = len(blob)
        return json.loads(gzip.decompress(blob))

    def reset(self) -> None:
        """Forget what was fetched except meta (a new page load would fetch meta again)."""
        self.fetched = {"meta.json.gz": self.fetched.get("meta.json.gz", 0)}

    @property
    def bytes(self) -> int:
        return sum(self.fetched.values())


@dataclass
class TermState:
    """What is known of one term's postings so far."""

    term: str
    df: int
    entry: object
    postings: dict[int, int] = field(default_factory=dict)  # doc -> impact
    tiers: int = 0  # tiers in files (0 when inline)
    fetched: int = 0
    tier_docs: list[list[int]] = field(default_factory=list)  # doc numbers of each fetched tier, in file order
    with_rows: int = 0  # tiers whose rows are loaded
    floor: int = 0  # impact bound for postings not fetched yet
    counts: dict | None = None

    @property
    def complete(self) -> bool:
        """Every posting of the term is known."""
        return len(self.postings) == self.df

    @property
    def exhausted(self) -> bool:
        """Every written tier is fetched (the index keeps a term's best postings only)."""
        return self.tiers == 0 or self.fetched >= self.tiers


@dataclass
class Result:
    """One search's answer."""

    words: list[str]
    mode: str  # and | or | all | none
    total: int
    approximate: bool
    ids: list[str]
    summaries: list[dict]
    facets: dict[str, dict[str, int]]
    suggestions: dict[str, list[str]]
    bytes: int
    facets_approximate: bool = False


def _add_postings(state: TermState, obj: dict) -> list[int]:
    doc, docs = 0, []
    for delta, imp in zip(obj["d"], obj["s"]):
        doc += delta
        state.postings[doc] = imp
        docs.append(doc)
    return docs


class Searcher:
    """Runs queries against one built index, as search.js does."""

    def __init__(self, search_dir: Path) -> None:
        self.files = IndexFiles(search_dir)
        meta = self.files.meta
        self.meta = meta
        self.pipes = {}
        for lang, info in meta["langs"].items():
            pipe = Pipeline(lang)
            if not info["stem"]:
                pipe.stem = None
            self.pipes[lang] = pipe
        self.facets = {f["key"]: f for f in meta["facets"]}
        self.layout = meta["row"]
        self.shards: dict[int, list] = {}
        self.rows: dict[int, str] = {}  # doc -> row string, for every document whose row was fetched
        self.decoded: dict[str, dict] = {}

    # --- vocabulary -------------------------------------------------------------------------
    def shard_of(self, term: str) -> int:
        return bisect.bisect_right(self.meta["shards"], term)

    def shard(self, no: int) -> list:
        if no not in self.shards:
            self.shards[no] = self.files.load(f"t/{no}.json.gz")
        return self.shards[no]

    def entry(self, term: str) -> list | None:
        rows = self.shard(self.shard_of(term))
        i = bisect.bisect_left([r[0] for r in rows], term)
        return rows[i] if i < len(rows) and rows[i][0] == term else None

    def prefixed(self, prefix: str) -> list[list]:
        """Vocabulary entries starting with prefix (at most two shards are read)."""
        out: list[list] = []
        no = self.shard_of(prefix)
        for k in (no, no + 1):
            if k > len(self.meta["shards"]):
                break
            if k > no and not self.meta["shards"][k - 1].startswith(prefix):
                break
            out += [r for r in self.shard(k) if r[0].startswith(prefix)]
        return out

    def word_terms(self, word: str, last_prefix: bool) -> list[tuple[str, int]]:
        """(term, weight) pairs a query word matches."""
        exact = {t for p in self.pipes.values() if (t := p.term(word))}
        out = [(t, EXACT_WEIGHT) for t in sorted(exact)]
        stem_prefix = trim(word)
        if last_prefix and len(stem_prefix) >= PREFIX_MIN:
            cands = [r for r in self.prefixed(stem_prefix) if r[0] not in exact and r[0] != self.meta["all"]]
            cands.sort(key=lambda r: (-r[1], r[0]))
            out += [(r[0], PREFIX_WEIGHT) for r in cands[:PREFIX_MAX]]
        return out

    # --- postings ---------------------------------------------------------------------------
    def state(self, term: str) -> TermState | None:
        entry = self.entry(term)
        if entry is None:
            return None
        st = TermState(term, entry[1], entry)
        if isinstance(entry[2], dict):
            docs = _add_postings(st, entry[2])
            self.rows.update(zip(docs, entry[2]["r"]))
        else:
            st.tiers = entry[2][1]
            self.fetch_tier(st)
        return st

    def fetch_tier(self, st: TermState) -> None:
        obj = self.files.load(_tier_path(st.entry[2][0], st.fetched, ""))
        st.tier_docs.append(_add_postings(st, obj))
        if st.fetched == 0:
            st.counts = obj.get("c")
        st.floor = obj["min"]
        st.fetched += 1

    def load_rows(self, st: TermState, upto: int | None = None) -> None:
        """Fetch the rows of the term's fetched tiers (up to `upto` tiers): rows sit in their own files."""
        if st.tiers == 0:
            return
        while st.with_rows < min(st.fetched, upto if upto is not None else st.fetched):
            rows = self.files.load(_tier_path(st.entry[2][0], st.with_rows, "r"))
            self.rows.update(zip(st.tier_docs[st.with_rows], rows))
            st.with_rows += 1

    def row(self, doc: int) -> dict | None:
        """A document's decoded row, or None when not fetched."""
        raw = self.rows.get(doc)
        if raw is None:
            return None
        out = self.decoded.get(raw)
        if out is None:
            out = self.decoded[raw] = decode_row(raw, self.layout)
        return out

    # --- the query --------------------------------------------------------------------------
    def matches_filters(self, row: dict, filters: dict[str, set[int]], skip: str | None = None) -> bool:
        for key, wanted in filters.items():
            if key != skip and not wanted.intersection(row[key]):
                return False
        return True

    def passes(self, doc: int, fnums: dict[str, set[int]]) -> bool:
        """Whether a document passes the filters; a document whose row is unknown is given the benefit."""
        if not fnums:
            return True
        row = self.row(doc)
        return row is None or self.matches_filters(row, fnums)

    def filter_numbers(self, filters: dict[str, list[str]]) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        for key, values in filters.items():
            facet = self.facets.get(key)
            if facet is None or not values:
                continue
            if "values" in facet:
                index = {v: i for i, v in enumerate(facet["values"])}
            else:
                index = {}
                for v in values:
                    page = max(0, bisect.bisect_right(facet["pages"], v) - 1)
                    keys, _ = self.files.load(f"v/{key}/{page}.json.gz")
                    if v in keys:
                        index[v] = page * self.meta["vpage"] + keys.index(v)
            out[key] = {index[v] for v in values if v in index}
        return out

    def search(self, q: str, filters: dict[str, list[str]] | None = None, sort: str = "relevance",
               limit: int = PAGE, prefix: bool = True) -> Result:
        """Run one query; `prefix` treats the last word as still being typed."""
        filters = filters or {}
        fnums = self.filter_numbers(filters)
        raw = split(q)
        last_prefix = prefix and bool(raw) and not q[-1:].isspace()
        words: list[list[tuple[TermState, float]]] = []
        shown_words: list[str] = []
        suggestions: dict[str, list[str]] = {}
        for i, w in enumerate(raw):
            pairs = self.word_terms(w, last_prefix and i == len(raw) - 1)
            if not pairs:
                continue  # a stop word in every language
            shown_words.append(w)
            states = [(st, wt) for t, wt in pairs if (st := self.state(t)) is not None]
            if not states:
                suggestions[w] = self.suggest(w)
            words.append(states)
        mode = "and"
        if not raw or not shown_words:
            st = self.state(self.meta["all"])
            assert st is not None
            words, mode = [[(st, EXACT_WEIGHT)]], "all"
        return self._rank(words, mode, fnums, sort, limit, shown_words, suggestions)

    def _scores(self, words: list, mode: str, required: list[bool] | None = None) -> dict[int, int]:
        """doc -> score: per word its best term impact x weight; AND (or required words) or OR across words."""
        per_word: list[dict[int, int]] = []
        for states in words:
            best: dict[int, int] = {}
            for st, wt in states:
                for doc, imp in st.postings.items():
                    s = imp * wt
                    if s > best.get(doc, 0):
                        best[doc] = s
            per_word.append(best)
        if not per_word:
            return {}
        if mode == "or":
            out: dict[int, int] = {}
            for best in per_word:
                for doc, s in best.items():
                    out[doc] = out.get(doc, 0) + s
            return out
        if required is not None:
            musts = sorted((b for b, r in zip(per_word, required) if r), key=len)
            optional = [b for b, r in zip(per_word, required) if not r]
        else:
            musts, optional = sorted(per_word, key=len), []
        first, *rest = musts
        out = {}
        for doc, s in first.items():
            total = s
            for other in rest:
                hit = other.get(doc)
                if hit is None:
                    break
                total += hit
            else:
                for other in optional:
                    total += other.get(doc, 0)
                out[doc] = total
        return out

    def _drivers(self, words: list, mode: str) -> list[int]:
        """Words whose rows are fetched: every candidate is in them (the rarest word; all words for OR)."""
        if mode == "or":
            return list(range(len(words)))
        if not words or any(not ws for ws in words):
            return []
        return [min(range(len(words)), key=lambda i: (sum(st.df for st, _ in words[i]), i))]

    def _certain(self, words: list, mode: str, ranked: list, limit: int, sort: str, fnums: dict) -> bool:
        """True when no document outside what was fetched can still enter the top `limit` (Fagin's threshold)."""
        if all(st.complete for ws in words for st, _ in ws):
            return True
        if sort != "relevance" or len(ranked) < limit:
            return False
        kth_doc, kth = ranked[limit - 1]
        bounds = [max((wt * st.floor for st, wt in ws if not st.complete), default=0) for ws in words]
        single = len(words) == 1 and len(words[0]) == 1
        # Unseen everywhere: postings are ordered (impact desc, doc asc), so one term's ties are safe.
        if sum(bounds) > kth or (sum(bounds) == kth and not single):
            return False
        top = {doc for doc, _ in ranked[:limit]}
        seen: dict[int, list] = {}
        for w, ws in enumerate(words):
            for st, wt in ws:
                for doc, imp in st.postings.items():
                    cell = seen.setdefault(doc, [[0] * len(words), [False] * len(words)])
                    cell[0][w] = max(cell[0][w], imp * wt)
                    cell[1][w] = True
        for doc, (scores, hit) in seen.items():
            if all(hit) or (doc in top and mode == "and"):
                continue
            if mode == "and" and any(not h and b == 0 for h, b in zip(hit, bounds)):
                continue  # absent from a complete word: cannot match
            if not self.passes(doc, fnums):
                continue
            ub = sum(s if h else b for s, h, b in zip(scores, hit, bounds))
            if ub > kth or (ub == kth and doc < kth_doc):
                return False
        return True

    def _rank(self, words: list, mode: str, fnums: dict, sort: str, limit: int,
              shown: list[str], suggestions: dict) -> Result:
        single = len(words) == 1 and len(words[0]) == 1 and words[0][0][1] == EXACT_WEIGHT
        # Rows (facets, sort keys) are fetched for every candidate when filters or sorting need them;
        # for counts alone a sample does (the rarest word's first tier), and a single term has its counts.
        need_rows = bool(fnums) or sort != "relevance"
        sample = not need_rows and not single
        while True:
            if need_rows or sample:
                for w in self._drivers(words, mode):
                    for st, _ in words[w]:
                        self.load_rows(st, 1 if sample else None)
            if mode == "and" and any(not ws for ws in words):
                scored: dict[int, int] = {}
            else:
                scored = self._scores(words, mode)
            kept = [(doc, s) for doc, s in scored.items() if self.passes(doc, fnums)]
            ranked = self._sort(kept, sort)
            pending = [st for ws in words for st, _ in ws if not st.complete and not st.exhausted]
            if not pending:
                break
            if self._certain(words, mode, ranked, limit, sort, fnums):
                # The top is settled; fetch the rest too if it is small, for exact counts.
                rest = sum(st.df - len(st.postings) for st in pending)
                if (single and not fnums) or rest > EXACT_COUNT_POSTINGS:
                    break
            for st in pending:
                self.fetch_tier(st)
        complete = all(st.complete for ws in words for st, _ in ws)
        relaxed = None
        if mode == "and" and not complete and len(ranked) < limit:
            # Very common words keep only their best postings: require the words known in full and
            # let the common ones add what is known (they are in most documents anyway).
            required = [all(st.complete for st, _ in ws) for ws in words]
            if any(required) and not all(required):
                for w, req in enumerate(required):
                    for st, _ in words[w] if req and need_rows else ():
                        self.load_rows(st)
                relaxed = self._scores(words, mode, required)
                kept = [(d, s) for d, s in relaxed.items() if self.passes(d, fnums)]
                ranked = self._sort(kept, sort)
                scored = relaxed
        if not scored and mode == "and" and len(words) > 1:
            return self._rank(words, "or", fnums, sort, limit, shown, suggestions)
        total = len(ranked) if complete else self._estimate(words, mode, len(scored), len(ranked))
        exact = complete or (single and not fnums)
        if single and not fnums:
            total = words[0][0][0].df
        pre = words[0][0][0].counts if single else None
        if not complete and pre and len(fnums) == 1:
            # One facet filtered on one term: its precomputed counts give the total exactly.
            (key, wanted), = fnums.items()
            flat = pre.get(key, [])
            listed = set(flat[0::2])
            # (a paged facet keeps its top values only: exact when the wanted ones are among them)
            if (not self.facets[key]["multi"] or len(wanted) == 1) and ("values" in self.facets[key] or wanted <= listed):
                total = sum(flat[i + 1] for i in range(0, len(flat), 2) if flat[i] in wanted)
                exact = True
        facets, facets_approx = self._facet_counts(words, scored, fnums, complete, total, single)
        top = ranked[:limit]
        summaries = self.summaries([doc for doc, _ in top])
        return Result(shown, mode if scored or mode != "and" else "none", total, not exact,
                      [s["id"] for s in summaries], summaries, facets, suggestions, self.files.bytes, facets_approx)

    def _estimate(self, words: list, mode: str, matched: int, kept: int) -> int:
        """About how many documents match when some postings were not fetched.

        Words taken as independent (AND: N x the product of each word's share of documents; OR: the
        sum), times the share of fetched matches that pass the filters; never below what is known."""
        n = self.meta["n"]
        dfs = [min(n, sum(st.df for st, _ in ws)) for ws in words]
        if mode == "or":
            base = float(min(n, sum(dfs)))
        else:
            base = float(n)
            for df in dfs:
                base *= df / n
        rate = kept / matched if matched else 1.0
        return max(kept, _round(base * rate))

    def _sort(self, kept: list[tuple[int, int]], sort: str) -> list[tuple[int, int]]:
        rows = {doc: self.row(doc) or {} for doc, _ in kept} if sort != "relevance" else {}

        def val(doc: int, key: str) -> int | None:
            return rows[doc].get(key)

        if sort == "workload":
            key = lambda p: (val(p[0], "hours") is None, val(p[0], "hours") or 0, -p[1], p[0])  # noqa: E731
        elif sort == "cost":
            key = lambda p: (val(p[0], "eur") is None, val(p[0], "eur") or 0, -p[1], p[0])  # noqa: E731
        elif sort == "seal":
            key = lambda p: (-(val(p[0], "score") or 0), -p[1], p[0])  # noqa: E731
        elif sort == "verified":
            key = lambda p: (val(p[0], "days") is None, -(val(p[0], "days") or 0), -p[1], p[0])  # noqa: E731
        else:
            key = lambda p: (-p[1], p[0])  # noqa: E731
        return sorted(kept, key=key)

    def _facet_counts(self, words: list, scored: dict, fnums: dict, complete: bool, total: int,
                      single: bool) -> tuple[dict[str, dict[str, int]], bool]:
        """Disjunctive counts: each facet counted over matches of every other facet's filters.

        Exact when every match and its row is known; otherwise counted over the matches whose rows
        were fetched and scaled to the estimated total."""
        out: dict[str, dict[str, int]] = {}
        known = [doc for doc in scored if self.row(doc) is not None]
        kept = sum(1 for doc in known if self.passes(doc, fnums))
        partial = not complete or len(known) < len(scored)
        scale = total / kept if kept else 0.0
        approx = False
        pre = words[0][0][0].counts if single and words and words[0] else None
        for key in self.facets:
            counts: dict[int, int] = {}
            others = {k: v for k, v in fnums.items() if k != key}
            if pre is not None and not others:
                flat = pre.get(key, [])
                counts = {flat[i]: flat[i + 1] for i in range(0, len(flat), 2)}
            else:
                for doc in known:
                    row = self.row(doc)
                    if row is not None and self.matches_filters(row, fnums, skip=key):
                        for v in row[key]:
                            counts[v] = counts.get(v, 0) + 1
                if partial:
                    approx = True
                    counts = {v: max(1, _round(c * scale)) for v, c in counts.items() if c}
            if "values" not in self.facets[key]:  # paged (thousands of providers): the top ones and the chosen
                top = sorted(counts.items(), key=lambda p: (-p[1], p[0]))[:PAGED_SHOWN]
                counts = {v: c for v, c in counts.items() if (v, c) in top or v in fnums.get(key, ())}
            out[key] = {self.value_key(key, v): c for v, c in sorted(counts.items())}
        return out, approx

    def value_key(self, key: str, number: int) -> str:
        facet = self.facets[key]
        if "values" in facet:
            return facet["values"][number]
        page, at = divmod(number, self.meta["vpage"])
        keys, _ = self.files.load(f"v/{key}/{page}.json.gz")
        return keys[at]

    def summaries(self, docs: list[int]) -> list[dict]:
        """Result summaries for documents, from their summary pages."""
        out = []
        names = self.meta["summary"]
        for doc in docs:
            page, at = divmod(doc, self.meta["spage"])
            rows = self.files.load(f"s/{page}.json.gz")
            out.append(dict(zip(names, rows[at])))
        return out

    def suggest(self, word: str, n: int = 3) -> list[str]:
        """Close vocabulary words (edit distance <= 2) for a word the index does not know."""
        w = trim(word)
        if len(w) < 3:
            return []
        cands = []
        for r in self.shard(self.shard_of(w)):
            surface = r[3] if len(r) > 3 else r[0]
            d = _distance(w, surface, 2)
            if d <= 2 and r[0] != self.meta["all"]:
                cands.append((d, -r[1], surface))
        return [s for _, _, s in sorted(cands)[:n]]


def _tier_path(file_id: str, tier: int, suffix: str) -> str:
    """Where a big term's tier (suffix "") or its rows (suffix "r") are: p/<2 hex digits>/<the rest>.<tier>."""
    return f"p/{file_id[:2]}/{file_id[2:]}.{tier}{suffix}.json.gz"


def _round(x: float) -> int:
    """Round half up, as JavaScript's Math.round does (Python's round() rounds half to even)."""
    return math.floor(x + 0.5)


def _distance(a: str, b: str, cap: int) -> int:
    """Levenshtein distance, giving up (returning cap + 1) once it exceeds cap."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > cap:
            return cap + 1
        prev = cur
    return prev[-1]
