"""The quality seal: which EU micro-credential elements a record states, plus freshness.

Computed, never written by providers. The element labels here are the only wording used for the
seal anywhere: pages, search facets, feeds and `credcat show` all read them from this module.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from .model import Credential, Seal, SealElement

# (key, label) in the order the EU Council Recommendation on micro-credentials lists them.
ELEMENTS: tuple[tuple[str, str], ...] = (
    ("title", "title"),
    ("awarding_body", "awarding body"),
    ("country", "country of the awarding body"),
    ("learning_outcomes", "learning outcomes"),
    ("workload", "workload (hours or ECTS)"),
    ("level", "level (EQF or audience)"),
    ("assessment", "type of assessment"),
    ("participation", "form of participation"),
    ("quality_assurance", "type of quality assurance"),
    ("fresh", "verified in the last 12 months"),
)
FRESH_DAYS = 365

# Bands by score out of 10; the names are shown to learners and used as a search facet.
BANDS: tuple[tuple[int, str], ...] = ((10, "complete"), (8, "strong"), (5, "partial"), (0, "thin"))
BAND_LABELS = {"complete": "Complete", "strong": "Strong", "partial": "Partial", "thin": "Thin"}


def band_for(score: int) -> str:
    """The band name for a score."""
    return next(name for floor, name in BANDS if score >= floor)


def is_fresh(last_verified: str | None, as_of: str) -> bool:
    """Verified within FRESH_DAYS before `as_of` (YYYY-MM-DD)."""
    if not last_verified:
        return False
    checked = date.fromisoformat(last_verified)
    earliest, today = _fresh_window(as_of)
    return earliest <= checked <= today


@lru_cache(maxsize=16)
def _fresh_window(as_of: str) -> tuple[date, date]:
    today = date.fromisoformat(as_of)
    return today - timedelta(days=FRESH_DAYS), today


def compute_seal(cred: Credential, as_of: str) -> Seal:
    """The seal for one credential as of a date."""
    w, lv = cred.workload, cred.level
    met = (  # in the order of ELEMENTS
        bool(cred.title),
        bool(cred.provider.name),
        bool(cred.provider.country),
        bool(cred.learning_outcomes),
        bool(w and (w.hours is not None or w.ects is not None)),
        bool(lv and (lv.eqf is not None or lv.audience)),
        bool(cred.assessment and cred.assessment.types),
        bool(cred.participation),
        bool(cred.quality_assurance),
        is_fresh(cred.last_verified, as_of),
    )
    return _seal(met)


@lru_cache(maxsize=2 ** len(ELEMENTS))
def _seal(met: tuple[bool, ...]) -> Seal:
    # A seal depends only on which elements are met, so the 1,024 possible seals are built once
    # each and shared (they are frozen) rather than rebuilt for every record.
    elements = tuple(SealElement(key, label, ok) for (key, label), ok in zip(ELEMENTS, met))
    score = sum(e.met for e in elements)
    return Seal(score, len(elements), band_for(score), elements)
