"""How model values read on a page: durations, workload, cost, levels, languages, dates.

Pure functions of one value each, cached where the same value recurs across thousands of pages.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import pycountry

from ..model import Assessment, Cost, Credential, Duration, Level, Workload

TYPE_LABELS = {
    "micro-credential": "Micro-credential", "badge": "Badge", "certificate": "Certificate",
    "certification": "Certification", "course": "Course", "learning-program": "Learning program",
}
TYPE_PLURALS = {
    "micro-credential": "Micro-credentials", "badge": "Badges", "certificate": "Certificates",
    "certification": "Certifications", "course": "Courses", "learning-program": "Learning programs",
}
AUDIENCE_LABELS = {"beginner": "Beginner", "intermediate": "Intermediate", "advanced": "Advanced"}
PARTICIPATION_LABELS = {"online": "Online", "onsite": "On site", "blended": "Blended (online and on site)"}
SUPERVISION_LABELS = {"proctored": "proctored", "supervised": "supervised", "unsupervised": "unsupervised",
                      "none": "unsupervised"}
PER_LABELS = {"month": "per month", "year": "per year", "exam": "per exam attempt", "attempt": "per attempt",
              "course": "per course", "credit": "per credit", "once": "one-off"}

_ISO = re.compile(r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
                  r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_UNITS = ("year", "month", "week", "day", "hour", "minute", "second")


def number(value: float | int | None) -> str:
    """40.0 -> '40', 2.5 -> '2.5'."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def plural(n: float, word: str) -> str:
    """'1 week', '3 weeks', '1.5 hours'."""
    return f"{number(n)} {word}" + ("" if float(n) == 1 else "s")


@lru_cache(maxsize=1024)
def iso_duration(text: str) -> str:
    """'P6W' -> '6 weeks', 'P1Y6M' -> '1 year 6 months', 'PT40H' -> '40 hours'; unreadable text as is."""
    match = _ISO.match(text or "")
    if not match or not any(match.groups()):
        return text
    return " ".join(plural(float(v), unit) for v, unit in zip(match.groups(), _UNITS) if v)


@lru_cache(maxsize=1024)
def _range(min_: str, max_: str) -> str:
    if min_ == max_:
        return iso_duration(min_)
    lo, hi = iso_duration(min_), iso_duration(max_)
    lo_n, _, lo_unit = lo.partition(" ")
    hi_n, _, hi_unit = hi.partition(" ")
    if " " not in lo_unit and lo_unit.rstrip("s") == hi_unit.rstrip("s"):
        return f"{lo_n} to {hi_n} {hi_unit}"  # '2 to 3 months'
    return f"{lo} to {hi}"


def duration(value: Duration | None) -> str:
    """A duration range in words: '6 weeks', '2 to 3 months'."""
    return _range(value.min, value.max) if value else ""


def workload(value: Workload | None) -> str:
    """'40 hours · 2 ECTS' (never converted: each stated unit as stated)."""
    if value is None:
        return ""
    parts = []
    if value.hours is not None:
        parts.append(plural(value.hours, "hour"))
    if value.ects is not None:
        parts.append(f"{number(value.ects)} ECTS credits" if value.ects != 1 else "1 ECTS credit")
    return " · ".join(parts)


def level(value: Level | None) -> str:
    """'EQF level 5 · Intermediate'."""
    if value is None:
        return ""
    parts = []
    if value.eqf is not None:
        parts.append(f"EQF level {value.eqf}")
    if value.audience:
        parts.append(AUDIENCE_LABELS.get(value.audience, value.audience.capitalize()))
    return " · ".join(parts)


def cost_one(value: Cost) -> str:
    """'Free', 'USD 49 per month'."""
    if value.free:
        return "Free"
    text = f"{value.currency} {_amount(value.amount)}" if value.currency else _amount(value.amount)
    if value.per:
        text += " " + PER_LABELS.get(value.per, f"per {value.per}")
    return text


def _amount(amount: str) -> str:
    whole, _, frac = amount.partition(".")
    grouped = f"{int(whole):,}" if whole.isdigit() else whole
    return f"{grouped}.{frac.ljust(2, '0')}" if frac else grouped


def cost(values: tuple[Cost, ...]) -> str:
    """All stated prices, joined: 'Free', 'USD 49 per month or USD 399 per year'."""
    return " or ".join(cost_one(c) for c in values)


def assessment(value: Assessment | None) -> str:
    """'Exam and project, proctored, identity verified'."""
    if value is None:
        return ""
    kinds = [t.replace("-", " ") for t in value.types]
    text = (", ".join(kinds[:-1]) + " and " + kinds[-1]) if len(kinds) > 1 else (kinds[0] if kinds else "")
    extra = []
    if value.supervision:
        extra.append(SUPERVISION_LABELS.get(value.supervision, value.supervision))
    if value.id_verified is True:
        extra.append("identity verified")
    elif value.id_verified is False:
        extra.append("identity not verified")
    return ", ".join([text.capitalize(), *extra]) if text else ", ".join(extra).capitalize()


@lru_cache(maxsize=1024)
def language_name(tag: str) -> str:
    """'en' -> 'English', 'pt-BR' -> 'Portuguese (Brazil)', 'es-419' -> 'Spanish (419)'."""
    primary, *rest = tag.split("-")
    lang = pycountry.languages.get(alpha_2=primary) if len(primary) == 2 else pycountry.languages.get(alpha_3=primary)
    name = lang.name if lang is not None else tag
    regions = []
    for sub in rest:
        if len(sub) == 2 and sub.isalpha():
            found = pycountry.countries.get(alpha_2=sub)
            regions.append(getattr(found, "common_name", None) or (found.name if found else sub))
        elif len(sub) == 3 and sub.isdigit():
            regions.append(sub)
    return f"{name} ({', '.join(regions)})" if regions else name


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """'US' -> 'United States'."""
    found = pycountry.countries.get(alpha_2=code)
    if found is None:
        return code
    return getattr(found, "common_name", None) or found.name


def long_date(iso: str | None) -> str:
    """'2026-10-01' -> '1 October 2026'."""
    if not iso:
        return ""
    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"


def type_label(value: str) -> str:
    """'learning-program' -> 'Learning program'."""
    return TYPE_LABELS.get(value, value.replace("-", " ").capitalize())


def title_lang(cred: Credential) -> str:
    """The language of the display title (for a lang attribute)."""
    return cred.title[0][0] if cred.title else "en"


_SAFE_URL = re.compile(r"^https?://[^\s\"'<>]+$", re.IGNORECASE)


def safe_url(url: str | None) -> str:
    """An http(s) URL unchanged, anything else (javascript:, data:, ...) as '' so it is never linked."""
    return url if url and _SAFE_URL.match(url) else ""
