"""Facets and result summaries: what each credential contributes to filtering, counting, sorting and display.

Every posting in the index carries a short "row" string (see `RowCodec`): the credential's facet
value numbers and its sort keys in base 36. With the row beside each posting, the browser can
filter, count and sort whatever postings it fetched without fetching anything per document.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from ..catalog import Catalog
from ..config import Config
from ..model import Credential
from ..seal import BAND_LABELS, BANDS

# Rough rates to euros, for price bands and sorting only (the page shows the stated price).
EUR_RATES = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "CHF": 1.04, "CAD": 0.68, "AUD": 0.61, "JPY": 0.0062,
             "INR": 0.011, "SEK": 0.088, "NOK": 0.086, "DKK": 0.134, "PLN": 0.23, "CZK": 0.040,
             "BRL": 0.18, "MXN": 0.054, "CNY": 0.13, "NZD": 0.56, "ZAR": 0.050, "SGD": 0.69}
COST_BANDS = (("free", "Free", 1), ("under-50", "Under €50", 50), ("50-199", "€50–199", 200),
              ("200-999", "€200–999", 1000), ("1000-plus", "€1,000 or more", None))
WORKLOAD_BANDS = (("under-10h", "Under 10 hours", 10), ("10-39h", "10–39 hours", 40),
                  ("40-99h", "40–99 hours", 100), ("100-249h", "100–249 hours", 250),
                  ("250h-plus", "250 hours or more", None))
HOURS_PER_ECTS = 27.5
EPOCH = dt.date(2000, 1, 1)
LANGUAGE_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
                  "pt": "Portuguese", "nl": "Dutch", "ga": "Irish", "pl": "Polish", "sv": "Swedish"}
# Sub-facets per configured facet name: the URL keys the search page uses.
URL_KEYS = {"type": ("type",), "provider": ("provider",), "skill": ("skill",), "level": ("eqf", "audience"),
            "participation": ("participation",), "language": ("language",), "cost": ("cost",),
            "workload": ("workload",), "seal": ("seal",)}
MULTI = ("language", "skill")
SORT_KEYS = ("hours", "eur", "score", "days")


def eur(cred: Credential) -> int | None:
    """The lowest stated price in whole euros (rough rates), 0 when free, None when not stated."""
    best: float | None = None
    for cost in cred.cost:
        value = 0.0 if cost.free else max(1.0, float(cost.amount) * EUR_RATES.get(cost.currency or "EUR", 1.0))
        best = value if best is None else min(best, value)
    return None if best is None else int(round(best))


def hours(cred: Credential) -> int | None:
    """The workload in whole hours (ECTS at 27.5 hours), None when not stated."""
    w = cred.workload
    if w is None:
        return None
    if w.hours is not None:
        return int(round(w.hours))
    if w.ects is not None:
        return int(round(w.ects * HOURS_PER_ECTS))
    return None


def _band(value: int | None, bands: tuple) -> str | None:
    if value is None:
        return None
    for key, _, below in bands:
        if below is None or value < below:
            return key
    return None


@lru_cache(maxsize=8192)  # a catalog's records share few dates
def _days(date: str | None) -> int | None:
    return (dt.date.fromisoformat(date) - EPOCH).days if date else None


def _title_case(text: str) -> str:
    return text[:1].upper() + text[1:].replace("-", " ")


@dataclass
class Facet:
    """One filterable facet: its URL key, heading, value keys and labels."""

    key: str
    label: str
    values: list[str]
    labels: list[str]
    multi: bool = False
    groups: list[str] | None = None  # per value, for the skill facet: technical | power
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {v: i for i, v in enumerate(self.values)}

    def to_json(self) -> dict:
        out: dict = {"key": self.key, "label": self.label, "values": self.values, "labels": self.labels,
                     "multi": self.multi}
        if self.groups is not None:
            out["groups"] = self.groups
        return out


def build_facets(catalog: Catalog, config: Config) -> list[Facet]:
    """The facets the config asks for, with values in a stable order."""
    wanted = [k for name in config.facets for k in URL_KEYS.get(name, ())]
    creds = catalog.credentials
    made: dict[str, Facet] = {}
    types = sorted(catalog.by_type)
    made["type"] = Facet("type", "Type", types, [_title_case(t) for t in types])
    provs = list(catalog.providers)
    made["provider"] = Facet("provider", "Provider", provs, [catalog.providers[p].name for p in provs])
    skills = sorted(catalog.by_skill, key=lambda s: (catalog.skill(s).kind != "technical", catalog.skill(s).label.lower(), s))
    made["skill"] = Facet("skill", "Skill", skills, [catalog.skill(s).label for s in skills], multi=True,
                          groups=[catalog.skill(s).kind for s in skills])
    eqfs = sorted(catalog.by_eqf)
    made["eqf"] = Facet("eqf", "EQF level", [str(e) for e in eqfs], [f"EQF {e}" for e in eqfs])
    order = {"beginner": 0, "intermediate": 1, "advanced": 2}
    auds = sorted(catalog.by_audience, key=lambda a: (order.get(a, 9), a))
    made["audience"] = Facet("audience", "Audience level", auds, [_title_case(a) for a in auds])
    parts = sorted({c.participation for c in creds if c.participation})
    made["participation"] = Facet("participation", "Participation", parts, [_title_case(p) for p in parts])
    langs = sorted({lang for c in creds for lang in c.languages})
    made["language"] = Facet("language", "Language", langs, [_language_label(t) for t in langs], multi=True)
    made["cost"] = Facet("cost", "Cost", [b[0] for b in COST_BANDS], [b[1] for b in COST_BANDS])
    made["workload"] = Facet("workload", "Workload", [b[0] for b in WORKLOAD_BANDS], [b[1] for b in WORKLOAD_BANDS])
    seal_bands = [name for _, name in BANDS]
    made["seal"] = Facet("seal", "Quality seal", seal_bands, [BAND_LABELS[b] for b in seal_bands])
    return [made[k] for k in wanted if k in made]


def _language_label(tag: str) -> str:
    primary, _, region = tag.partition("-")
    name = LANGUAGE_NAMES.get(primary)
    if name is None:
        try:
            import pycountry

            found = pycountry.languages.get(alpha_2=primary)
            name = found.name if found else tag
        except Exception:  # pragma: no cover - pycountry is a dependency; the tag is a fine label
            name = tag
    return f"{name} ({region})" if region else name


def facet_values(cred: Credential, key: str) -> list[str]:
    """The value keys a credential has for one facet (empty when it states none)."""
    if key == "type":
        return [cred.type]
    if key == "provider":
        return [cred.provider.id]
    if key == "skill":
        return sorted({s.id for s in cred.skills if s.id})
    if key == "eqf":
        return [str(cred.level.eqf)] if cred.level and cred.level.eqf else []
    if key == "audience":
        return [cred.level.audience] if cred.level and cred.level.audience else []
    if key == "participation":
        return [cred.participation] if cred.participation else []
    if key == "language":
        return list(cred.languages)
    if key == "cost":
        band = _band(eur(cred), COST_BANDS)
        return [band] if band else []
    if key == "workload":
        band = _band(hours(cred), WORKLOAD_BANDS)
        return [band] if band else []
    if key == "seal":
        return [cred.seal.band] if cred.seal else []
    raise KeyError(key)


_B36: dict[tuple[int, int], str] = {}


def _b36(n: int, width: int) -> str:
    """n in base 36, zero-padded to width (memoized: the same few values recur in every row)."""
    try:
        return _B36[n, width]
    except KeyError:
        pass
    out = _b36_digits(n, width)
    if len(_B36) < 200_000:
        _B36[n, width] = out
    return out


def _b36_digits(n: int, width: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    out = out.rjust(width, "0")
    if len(out) > width:
        raise ValueError(f"{n} does not fit {width} base-36 digits")
    return out


def _width(count: int) -> int:
    width = 1
    while 36 ** width <= count:
        width += 1
    return width


class RowCodec:
    """Encodes a credential's facet values and sort keys as a short base-36 string.

    Layout (meta.json "row"): for each facet in order, single-valued facets as value number + 1
    (0 = none) in a fixed width; multi-valued ones as a one-digit count then the value numbers;
    then the sort keys hours, eur, score (seal), days (since 2000-01-01, last verified), each + 1.
    """

    def __init__(self, facets: list[Facet], catalog: Catalog) -> None:
        self.facets = facets
        self.widths = {f.key: _width(len(f.values) + 1) for f in facets}
        max_hours = max((hours(c) or 0 for c in catalog.credentials), default=0)
        max_eur = max((eur(c) or 0 for c in catalog.credentials), default=0)
        self.sort_widths = {"hours": _width(max_hours + 2), "eur": _width(max_eur + 2), "score": 1,
                            "days": _width(_days("2199-12-31") or 0)}

    def layout(self) -> list[list]:
        """The row layout for meta.json: [key, width, multi] per part."""
        parts: list[list] = [[f.key, self.widths[f.key], f.multi] for f in self.facets]
        parts += [[k, self.sort_widths[k], False] for k in SORT_KEYS]
        return parts

    def encode(self, cred: Credential) -> tuple[str, dict[str, list[int]]]:
        """The row string for one credential, and its value numbers per facet."""
        out = []
        numbers: dict[str, list[int]] = {}
        widths = self.widths
        h, e = hours(cred), eur(cred)  # each used twice: for a band and as a sort key
        for f in self.facets:
            key = f.key
            width = widths[key]
            if key == "cost":
                band = _band(e, COST_BANDS)
                found = [band] if band else []
            elif key == "workload":
                band = _band(h, WORKLOAD_BANDS)
                found = [band] if band else []
            else:
                found = facet_values(cred, key)
            index = f.index
            values = [index[v] for v in found if v in index]
            if f.multi:
                values = values[:35]
                out.append(_b36(len(values), 1) + "".join([_b36(v, width) for v in values]))
            else:
                values = values[:1]
                out.append(_b36(values[0] + 1 if values else 0, width))
            numbers[key] = values
        sort_widths = self.sort_widths
        score = cred.seal.score if cred.seal else None
        days = _days(cred.last_verified)
        for k, v in (("hours", h), ("eur", e), ("score", score), ("days", days)):
            out.append(_b36(0 if v is None else v + 1, sort_widths[k]))
        return "".join(out), numbers


def decode_row(row: str, layout: list[list]) -> dict[str, list[int] | int | None]:
    """A row string back to {facet key: [value numbers]} and {sort key: value or None}."""
    out: dict[str, list[int] | int | None] = {}
    pos = 0
    for key, width, multi in layout:
        if multi:
            count = int(row[pos], 36)
            pos += 1
            out[key] = [int(row[pos + i * width: pos + (i + 1) * width], 36) for i in range(count)]
            pos += count * width
        else:
            n = int(row[pos: pos + width], 36)
            pos += width
            if key in SORT_KEYS:
                out[key] = None if n == 0 else n - 1
            else:
                out[key] = [] if n == 0 else [n - 1]
    return out


def _money(cred: Credential) -> str:
    if not cred.cost:
        return ""
    c = min(cred.cost, key=lambda c: float(c.amount) * EUR_RATES.get(c.currency or "EUR", 1.0))
    if c.free:
        return "Free"
    text = f"{c.amount} {c.currency}" if c.currency else c.amount
    return f"{text} per {c.per}" if c.per else text


def _workload_text(cred: Credential) -> str:
    w = cred.workload
    if w is None:
        return ""
    parts = []
    if w.hours is not None:
        parts.append(f"{w.hours:g} hours")
    if w.ects is not None:
        parts.append(f"{w.ects:g} ECTS")
    return " / ".join(parts)


def _level_text(cred: Credential) -> str:
    lv = cred.level
    if lv is None:
        return ""
    parts = [f"EQF {lv.eqf}"] if lv.eqf else []
    if lv.audience:
        parts.append(_title_case(lv.audience))
    return " · ".join(parts)


def summary(cred: Credential, type_labels: dict[str, str]) -> list:
    """What a result shows, as a compact list (order documented in meta.json "summary")."""
    seal = cred.seal
    text = cred.summary
    if len(text) > 160:
        text = text[:160].rsplit(" ", 1)[0] + "…"
    return [cred.id, cred.name, cred.provider.name, type_labels.get(cred.type, cred.type), _money(cred),
            _workload_text(cred), _level_text(cred), seal.band if seal else "", seal.percent if seal else 0,
            f"credentials/{cred.id}/", text, cred.last_verified or "", cred.status]


SUMMARY_FIELDS = ("id", "title", "provider", "type", "cost", "workload", "level", "seal", "seal_percent",
                  "url", "summary", "last_verified", "status")
