"""The quality seal: which EU micro-credential elements a record states, plus freshness.

Computed, never written by providers. The element labels here are the only wording used for the
seal anywhere: pages, search facets, feeds and `credcat show` all read them from this module.
"""
from __future__ import annotations

from datetime import date, timedelta

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
    today = date.fromisoformat(as_of)
    return today - timedelta(days=FRESH_DAYS) <= checked <= today


def compute_seal(cred: Credential, as_of: str) -> Seal:
    """The seal for one credential as of a date."""
    w, lv = cred.workload, cred.level
    met = {
        "title": bool(cred.title),
        "awarding_body": bool(cred.provider.name),
        "country": bool(cred.provider.country),
        "learning_outcomes": bool(cred.learning_outcomes),
        "workload": bool(w and (w.hours is not None or w.ects is not None)),
        "level": bool(lv and (lv.eqf is not None or lv.audience)),
        "assessment": bool(cred.assessment and cred.assessment.types),
        "participation": bool(cred.participation),
        "quality_assurance": bool(cred.quality_assurance),
        "fresh": is_fresh(cred.last_verified, as_of),
    }
    elements = tuple(SealElement(key, label, met[key]) for key, label in ELEMENTS)
    score = sum(e.met for e in elements)
    return Seal(score, len(elements), band_for(score), elements)
