"""Index stage: the whole valid catalog with the cross-record views pages, search and feeds need.

Groupings (by provider, skill, type, level), reverse stackability links and related credentials
are computed once here, in linear time, so no later stage scans the catalog per page.
"""
from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from .cache import RecordStore
from .errors import CatalogError, Problems
from .progress import Progress, stage
from .model import Credential, Provider, TaxonomySkill
from .taxonomy import Taxonomy
from .validate import CatalogReader

RELATED_LIMIT = 4


def id_runs(creds: Sequence[Credential], every: int) -> list[tuple[int, int]]:
    """`creds` cut into runs ([start, stop) ranges): a run ends after each credential whose id's CRC-32 is 0 modulo
    `every`, or at 4 x `every` credentials.

    The cuts depend on the ids, not on positions: adding or removing a credential changes its own
    run only, so the build cache reuses the others (the feeds' chunks and bulk runs, the search
    index's chunks).
    """
    runs, start = [], 0
    for i, cred in enumerate(creds):
        if zlib.crc32(cred.id.encode("utf-8")) % every == 0 or i + 1 - start >= 4 * every:
            runs.append((start, i + 1))
            start = i + 1
    if start < len(creds):
        runs.append((start, len(creds)))
    return runs


def list_groups(creds: Iterable[Credential]) -> dict[str, dict]:
    """The catalog's lists of `creds`, each in the order given: by provider, skill, type, EQF level and audience."""
    groups: dict[str, dict] = {k: defaultdict(list) for k in ("provider", "skill", "type", "eqf", "audience")}
    providers, types, skills, eqfs, audiences = (groups[k] for k in ("provider", "type", "skill", "eqf", "audience"))
    for cred in creds:
        providers[cred.provider.id].append(cred)
        types[cred.type].append(cred)
        for skill in cred.skills:
            if skill.id:
                skills[skill.id].append(cred)
        level = cred.level
        if level and level.eqf:
            eqfs[level.eqf].append(cred)
        if level and level.audience:
            audiences[level.audience].append(cred)
    return groups


@dataclass
class Catalog:
    """All valid credentials (sorted by id), their providers, the taxonomy, and derived views."""

    credentials: list[Credential]
    providers: dict[str, Provider]
    taxonomy: Taxonomy
    as_of: str
    problems: Problems = field(default_factory=Problems)
    by_id: dict[str, Credential] = field(default_factory=dict)
    by_provider: dict[str, list[Credential]] = field(default_factory=dict)
    by_skill: dict[str, list[Credential]] = field(default_factory=dict)
    by_type: dict[str, list[Credential]] = field(default_factory=dict)
    by_eqf: dict[int, list[Credential]] = field(default_factory=dict)
    by_audience: dict[str, list[Credential]] = field(default_factory=dict)
    part_of_reverse: dict[str, list[str]] = field(default_factory=dict)  # id -> ids that are part of it
    leads_to_reverse: dict[str, list[str]] = field(default_factory=dict)  # id -> ids that lead to it
    fingerprints: dict[str, bytes] = field(default_factory=dict)  # id -> hash of the normalized record (cache.py)
    checked: int | None = None  # credential files checked anew by read_catalog, not taken from the record store

    def __post_init__(self) -> None:
        self.credentials.sort(key=lambda c: c.id)
        self.by_id = {c.id: c for c in self.credentials}
        groups = list_groups(self.credentials)
        part_of: dict[str, list[str]] = defaultdict(list)
        leads_to: dict[str, list[str]] = defaultdict(list)
        for cred in self.credentials:
            for target in cred.part_of:
                part_of[target].append(cred.id)
            for target in cred.leads_to:
                leads_to[target].append(cred.id)
        self.by_provider = dict(sorted(groups["provider"].items()))
        self.by_skill = dict(sorted(groups["skill"].items()))
        self.by_type = dict(sorted(groups["type"].items()))
        self.by_eqf = dict(sorted(groups["eqf"].items()))
        self.by_audience = dict(sorted(groups["audience"].items()))
        self.part_of_reverse = {k: sorted(v) for k, v in sorted(part_of.items())}
        self.leads_to_reverse = {k: sorted(v) for k, v in sorted(leads_to.items())}

    def skill(self, skill_id: str) -> TaxonomySkill:
        return self.taxonomy.skills[skill_id]

    def related(self, cred: Credential, limit: int = RELATED_LIMIT) -> list[Credential]:
        """Credentials sharing the most taxonomy skills with `cred` (ties: more specific skills, then id).

        Only the `limit` rarest skills of the credential are scanned, and each skill's list at most
        to a fixed depth, so the cost per credential stays bounded however large the catalog is.
        """
        scores: Counter[str] = Counter()
        skill_ids = sorted((s.id for s in cred.skills if s.id), key=lambda s: (len(self.by_skill.get(s, ())), s))
        for sid in skill_ids[:8]:
            holders = self.by_skill.get(sid, ())
            weight = 1.0 + 1.0 / max(1, len(holders))
            for other in holders[:500]:
                if other.id != cred.id and not other.retired:
                    scores[other.id] += weight
        best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [self.by_id[cid] for cid, _ in best]

    @property
    def skills_used(self) -> list[TaxonomySkill]:
        """Taxonomy skills that at least one credential names, sorted by id."""
        return [self.taxonomy.skills[s] for s in self.by_skill]


def read_catalog(root: Path, as_of: str, strict: bool = False, *, jobs: int = 1, store: RecordStore | None = None,
                 progress: Progress | None = None) -> Catalog:
    """Read, check and index the catalog; raise CatalogError if there are errors (or warnings, when strict).

    `jobs` processes check the files; `store` holds results of earlier runs to reuse (and gets this
    run's); `progress` shows the files as they are settled.
    """
    reader = CatalogReader(root, as_of, jobs=jobs, store=store)
    total = sum(len(p.credential_names) for p in reader.files.providers) if reader.files else 0
    with stage(progress, "Checking records", total) as advance:
        reader.advance = advance
        with closing(reader.credentials()) as records:  # closed even when stopped: it holds the catalog frozen
            credentials = list(records)
    reader.save_cache()
    problems = reader.problems
    if problems.errors or (strict and problems.warnings):
        raise CatalogError(problems.sorted())
    catalog = Catalog(credentials, dict(sorted(reader.providers.items())), reader.taxonomy, as_of, problems)
    catalog.fingerprints = reader.fingerprints
    catalog.checked = reader.stats.checked
    return catalog



def from_credentials(credentials: Iterable[Credential], taxonomy: Taxonomy, as_of: str) -> Catalog:
    """A Catalog from already-normalized credentials (tests and benchmarks)."""
    creds = list(credentials)
    providers = {c.provider.id: c.provider for c in creds}
    return Catalog(creds, dict(sorted(providers.items())), taxonomy, as_of)
