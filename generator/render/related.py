"""Related credentials for every page: the same answer as `Catalog.related`, about 10x cheaper.

`Catalog.related` scores up to 8 x 500 holders per credential in a Python loop and sorts every
scored id: ~1 ms a credential, 20 s of a 20,000-credential build. Rendering asks it for every
credential, so this index keeps per-skill lists ready and finds the same top-N with less work:

- ids sharing two or more skills are found in the pairwise intersections of the skills' holder
  sets, which recur across credentials and are computed once (C-level set operations);
- how many pairs an id is in ranks it as its shared count does, so only the ids that can reach
  the top get exact scores (the same float additions in the same order as `Catalog.related`);
- they always outrank ids sharing one skill, whose score is exactly that skill's weight, so the
  best of those are the first ids (by id) of the heaviest skills, found by scanning from the
  front of each list.

tests/test_site_render.py checks it against `Catalog.related` on every credential of the bundled
catalog and of a synthetic one. If `Catalog.related` changes, change this with it (or drop it).
"""
from __future__ import annotations

import math
from collections import Counter

from ..cache import digest
from ..catalog import RELATED_LIMIT, Catalog
from ..model import Credential

SKILLS_SCANNED = 8  # as Catalog.related: the rarest 8 skills of a credential
DEPTH = 500  # as Catalog.related: the first 500 holders of each skill
PAIR_CACHE = 200_000  # skill pairs whose common holders are kept (each a small set)


def _shared(pairs: int) -> int:
    """n from n(n-1)/2: how many skills an id shares, from how many skill pairs it holds."""
    return round((1 + math.sqrt(1 + 8 * pairs)) / 2)


class RelatedIndex:
    """Per-skill holder lists and weights, built once per build."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.heads: dict[str, list[str]] = {}
        self.sets: dict[str, frozenset[str]] = {}
        self.weights: dict[str, float] = {}
        self.pairs: dict[tuple[str, str], frozenset[str]] = {}
        self.repeats: set[str] = set()  # skills some credential names twice (it is then listed twice)
        self.head_keys: dict[str, bytes] = {}  # skill -> hash of its holder count and head (inputs_key)
        for sid, holders in catalog.by_skill.items():
            self.heads[sid] = [c.id for c in holders[:DEPTH] if not c.retired]
            self.weights[sid] = 1.0 + 1.0 / max(1, len(holders))
            if len(set(self.heads[sid])) != len(self.heads[sid]):
                self.repeats.add(sid)

    def inputs_key(self, cred: Credential) -> bytes:
        """A hash of everything `related(cred)` reads: the credential's id and skills, and for each skill
        its holder count and the ids at the head of its list. Equal keys give equal answers, so an
        answer can be kept between builds (render/__init__.py)."""
        parts: list[bytes | str] = [cred.id]
        for skill in cred.skills:
            sid = skill.id
            if sid:
                parts += [sid, self.head_key(sid)]
        return digest(*parts)

    def head_key(self, sid: str) -> bytes:
        """A hash of what `related` reads of one skill: its holder count and the ids at the head of its list."""
        found = self.head_keys.get(sid)
        if found is None:
            holders = self.heads.get(sid)
            found = self.head_keys[sid] = digest(str(len(self.catalog.by_skill.get(sid, ()))),
                                                 "\n".join(holders) if holders else "-")
        return found

    def _skills(self, cred: Credential) -> list[str]:
        by_skill = self.catalog.by_skill
        ids = sorted((s.id for s in cred.skills if s.id), key=lambda s: (len(by_skill.get(s, ())), s))
        return ids[:SKILLS_SCANNED]

    def _set(self, sid: str) -> frozenset[str]:
        found = self.sets.get(sid)
        if found is None:
            found = self.sets[sid] = frozenset(self.heads[sid])
        return found

    def _pair(self, a: str, b: str) -> frozenset[str]:
        """Ids holding both skills: the same pairs recur across credentials, so they are kept."""
        key = (a, b) if a <= b else (b, a)
        found = self.pairs.get(key)
        if found is None:
            if len(self.pairs) >= PAIR_CACHE:
                self.pairs.clear()
            found = self.pairs[key] = self._set(a) & self._set(b)
        return found

    def related(self, cred: Credential, limit: int = RELATED_LIMIT) -> list[Credential]:
        """The credentials sharing the most skills with `cred`, as Catalog.related ranks them."""
        skills = [s for s in self._skills(cred) if s in self.heads]
        if self.repeats.intersection(skills):
            return self._plain(cred, skills, limit)
        members = [(self._set(sid), self.weights[sid]) for sid in skills]
        # How many of the skill pairs each id holds: n shared skills give n(n-1)/2 pairs, so the
        # pair count ranks ids as the shared count does (and a C-level Counter finds it).
        pairs: Counter[str] = Counter()
        for i, a in enumerate(skills):
            for b in skills[i + 1:]:
                pairs.update(self._pair(a, b))
        pairs.pop(cred.id, None)
        candidates: list[str] = list(pairs)
        if len(candidates) > limit:
            # A score is the shared count n plus at most `spare` (the skills' 1/len parts): ids whose
            # n cannot reach the limit-th best n cannot make the list.
            floor = _shared(sorted(pairs.values(), reverse=True)[limit - 1])
            spare = sum(weight - 1.0 for _, weight in members)
            least = max(2, math.ceil(floor - spare - 1e-9))
            fewest_pairs = least * (least - 1) // 2
            candidates = [cid for cid, held in pairs.items() if held >= fewest_pairs]
        scored = []
        for cid in candidates:
            score: float = 0  # int 0 first, as Counter's missing value: the same float additions
            for ids, weight in members:
                if cid in ids:
                    score += weight
            scored.append((-score, cid))
        if len(scored) < limit:  # ids sharing two or more skills always outrank those sharing one
            scored.extend(self._best_single(pairs, cred.id, skills, limit - len(scored)))
        scored.sort()
        by_id = self.catalog.by_id
        return [by_id[cid] for _, cid in scored[:limit]]

    def _plain(self, cred: Credential, skills: list[str], limit: int) -> list[Credential]:
        """Catalog.related's own way, for the rare credential whose skills list some holder twice."""
        scores: Counter[str] = Counter()
        for sid in skills:
            weight = self.weights[sid]
            for cid in self.heads[sid]:
                if cid != cred.id:
                    scores[cid] += weight
        best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [self.catalog.by_id[cid] for cid, _ in best]

    def _best_single(self, shared: Counter[str], own: str, skills: list[str], limit: int) -> list[tuple[float, str]]:
        """The best `limit` ids sharing exactly one skill: heaviest skill first, then by id."""
        found: list[tuple[float, str]] = []
        i = 0
        while i < len(skills) and len(found) < limit:
            weight = self.weights[skills[i]]
            group: list[str] = []
            while i < len(skills) and self.weights[skills[i]] == weight:
                taken = 0
                for cid in self.heads[skills[i]]:  # in id order: the first ones are the best
                    if cid not in shared and cid != own:
                        group.append(cid)
                        taken += 1
                        if taken == limit:
                            break
                i += 1
            group.sort()
            found.extend((-weight, cid) for cid in group[: limit - len(found)])
        return found
