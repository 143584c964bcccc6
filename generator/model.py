"""The normalized model: one strict, frozen shape that pages, search and feeds all read.

Provider YAML is lenient; nothing here is. Every value is already checked and canonical:
language maps for text, BCP 47 language tags, ISO 3166 countries, ISO 4217 currencies,
ISO 8601 durations, EQF levels only where stated. `to_json()` gives the canonical JSON form
(sorted keys, no floats where a decimal string is meant) used by `credcat show` and the feeds.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from .jsontext import canonical_bytes


def _num(value: float | None) -> int | float | None:
    """Whole numbers as ints, so 40.0 prints as 40 in every output."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


@dataclass(frozen=True, slots=True)
class Skill:
    """A skill as a credential states it, resolved against the taxonomy where possible."""

    label: str
    id: str | None = None  # taxonomy id; None when the taxonomy does not know it
    kind: str | None = None  # technical | power
    uri: str | None = None

    def to_json(self) -> dict:
        return {"id": self.id, "label": self.label, "kind": self.kind, "uri": self.uri}


@dataclass(frozen=True, slots=True)
class Workload:
    hours: float | None = None
    ects: float | None = None

    def to_json(self) -> dict:
        return {"hours": _num(self.hours), "ects": _num(self.ects)}


@dataclass(frozen=True, slots=True)
class Duration:
    min: str  # ISO 8601 duration, e.g. P6W
    max: str

    def to_json(self) -> dict:
        return {"min": self.min, "max": self.max}


@dataclass(frozen=True, slots=True)
class Level:
    eqf: int | None = None
    audience: str | None = None

    def to_json(self) -> dict:
        return {"eqf": self.eqf, "audience": self.audience}


@dataclass(frozen=True, slots=True)
class Assessment:
    types: tuple[str, ...]
    supervision: str | None = None
    id_verified: bool | None = None

    def to_json(self) -> dict:
        return {"type": list(self.types), "supervision": self.supervision, "id_verified": self.id_verified}


@dataclass(frozen=True, slots=True)
class QualityAssurance:
    type: str
    body: str | None = None
    url: str | None = None

    def to_json(self) -> dict:
        return {"type": self.type, "body": self.body, "url": self.url}


@dataclass(frozen=True, slots=True)
class Cost:
    amount: str  # decimal as text: "49", "1200.5"; "0" when free
    currency: str | None  # ISO 4217; None only when free
    per: str | None = None

    @property
    def free(self) -> bool:
        return self.amount == "0"

    def to_json(self) -> dict:
        return {"amount": self.amount, "currency": self.currency, "per": self.per}


@dataclass(frozen=True, slots=True)
class Occupation:
    scheme: str  # soc | isco
    code: str

    def to_json(self) -> dict:
        return {"scheme": self.scheme, "code": self.code}


@dataclass(frozen=True, slots=True)
class SealElement:
    key: str
    label: str
    met: bool


@dataclass(frozen=True, slots=True)
class Seal:
    """The computed quality seal: which catalog elements a record states, and whether it is fresh."""

    score: int
    out_of: int
    band: str
    elements: tuple[SealElement, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(e.label for e in self.elements if not e.met)

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.out_of)

    def to_json(self) -> dict:
        return {"score": self.score, "out_of": self.out_of, "percent": self.percent, "band": self.band,
                "missing": list(self.missing), "elements": {e.key: e.met for e in self.elements}}


@dataclass(frozen=True, slots=True)
class Provider:
    id: str
    name: str
    url: str
    country: str
    description_html: str = ""
    description_text: str = ""
    maintainers: tuple[str, ...] = ()
    source: str = ""

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "url": self.url, "country": self.country,
                "description": {"html": self.description_html, "text": self.description_text},
                "maintainers": list(self.maintainers)}


@dataclass(frozen=True, slots=True)
class Credential:
    """One credential, normalized. Language maps are tuples of (lang, text) pairs in a stable order."""

    id: str  # "<provider>/<slug>", stable for life
    provider: Provider
    slug: str
    title: tuple[tuple[str, str], ...]
    type: str
    description_html: tuple[tuple[str, str], ...]
    description_text: tuple[tuple[str, str], ...]
    url: str
    languages: tuple[str, ...]
    skills: tuple[Skill, ...] = ()
    learning_outcomes: tuple[str, ...] = ()
    workload: Workload | None = None
    duration: Duration | None = None
    level: Level | None = None
    participation: str | None = None
    assessment: Assessment | None = None
    quality_assurance: tuple[QualityAssurance, ...] = ()
    cost: tuple[Cost, ...] = ()
    prerequisites: tuple[str, ...] = ()
    part_of: tuple[str, ...] = ()
    leads_to: tuple[str, ...] = ()
    occupations: tuple[Occupation, ...] = ()
    status: str = "active"
    tags: tuple[str, ...] = ()
    last_verified: str | None = None  # YYYY-MM-DD
    seal: Seal | None = field(default=None, compare=False)
    source: str = field(default="", compare=False)

    @property
    def name(self) -> str:
        """The title in the record's first language (the display title)."""
        return self.title[0][1]

    @property
    def summary(self) -> str:
        """A one-sentence plain-text summary from the description, at most ~200 characters."""
        text = self.description_text[0][1] if self.description_text else ""
        end = text.find("\n")  # not split: that copies the rest of the text, and cards ask for every credential's
        first = (text if end < 0 else text[:end]).strip()
        if len(first) <= 200:
            return first
        cut = first[:200].rsplit(" ", 1)[0]
        return cut.rstrip(",;:") + "…"

    @property
    def retired(self) -> bool:
        return self.status == "retired"

    def content_json(self) -> dict:
        """Everything the provider stated, normalized (no computed seal): what the content hash covers."""
        return {
            "id": self.id, "provider": self.provider.id, "title": dict(self.title), "type": self.type,
            "description": {"html": dict(self.description_html), "text": dict(self.description_text)},
            "url": self.url, "languages": list(self.languages),
            "skills": [s.to_json() for s in self.skills],
            "learning_outcomes": list(self.learning_outcomes),
            "workload": self.workload.to_json() if self.workload else None,
            "duration": self.duration.to_json() if self.duration else None,
            "level": self.level.to_json() if self.level else None,
            "participation": self.participation,
            "assessment": self.assessment.to_json() if self.assessment else None,
            "quality_assurance": [q.to_json() for q in self.quality_assurance],
            "cost": [c.to_json() for c in self.cost],
            "prerequisites": list(self.prerequisites),
            "stackability": {"part_of": list(self.part_of), "leads_to": list(self.leads_to)},
            "occupations": [o.to_json() for o in self.occupations],
            "status": self.status, "tags": list(self.tags), "last_verified": self.last_verified,
        }

    @property
    def content_hash(self) -> str:
        """sha256 of the canonical content JSON: changes exactly when what the provider stated changes."""
        return "sha256:" + hashlib.sha256(canonical_bytes(self.content_json())).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """The normalized record with its seal and hash: what `credcat show` prints."""
        out = self.content_json()
        out["provider"] = {"id": self.provider.id, "name": self.provider.name, "country": self.provider.country}
        out["seal"] = self.seal.to_json() if self.seal else None
        out["content_hash"] = self.content_hash
        return out


@dataclass(frozen=True, slots=True)
class TaxonomySkill:
    id: str
    label: str
    kind: str
    uri: str | None = None
    synonyms: tuple[str, ...] = ()
    description: str = ""

    def to_json(self) -> dict:
        return {"id": self.id, "label": self.label, "kind": self.kind, "uri": self.uri,
                "synonyms": list(self.synonyms), "description": self.description}
