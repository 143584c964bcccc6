"""Normalize stage: turn a checked, lenient provider record into the strict Credential model.

Each `parse_*` function reads one lenient form and either returns the canonical value or
reports what it could not understand (with a hint). Nothing is converted silently: hours and
ECTS stay apart, difficulty words never become EQF levels, and an ISO duration of months is
never read as hours.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Callable

import pycountry

from .markdown import render_markdown
from .model import (Assessment, Cost, Credential, Duration, Level, Occupation, Provider,
                    QualityAssurance, Skill, Workload)

Report = Callable[..., None]  # report(loc, message, hint="", severity="error")

LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")

# --- languages ----------------------------------------------------------------------------------

# Names of languages in the language itself, which pycountry (English names only) does not know.
_ENDONYMS = {
    "deutsch": "de", "français": "fr", "francais": "fr", "español": "es", "espanol": "es",
    "castellano": "es", "italiano": "it", "português": "pt", "portugues": "pt", "nederlands": "nl",
    "svenska": "sv", "dansk": "da", "norsk": "no", "suomi": "fi", "polski": "pl", "čeština": "cs",
    "cestina": "cs", "magyar": "hu", "română": "ro", "romana": "ro", "ελληνικά": "el", "türkçe": "tr",
    "turkce": "tr", "русский": "ru", "українська": "uk", "日本語": "ja", "中文": "zh", "한국어": "ko",
    "العربية": "ar", "עברית": "he", "हिन्दी": "hi", "gaeilge": "ga", "eesti": "et", "latviešu": "lv",
    "lietuvių": "lt", "slovenčina": "sk", "slovenščina": "sl", "hrvatski": "hr", "български": "bg",
    "català": "ca", "catala": "ca", "euskara": "eu", "galego": "gl", "malti": "mt",
}


@lru_cache(maxsize=4096)
def parse_language(text: str) -> str | None:
    """A BCP 47 tag for a language code or name: 'English' -> en, 'en-EN' -> en, 'pt-BR' -> pt-BR."""
    raw = text.strip()
    folded = raw.casefold()
    if folded in _ENDONYMS:
        return _ENDONYMS[folded]
    if LANG_TAG.fullmatch(raw) and len(raw.split("-")[0]) in (2, 3):
        primary, *rest = raw.split("-")
        lang = _language_code(primary.lower())
        if lang is None:
            return None
        parts = [lang]
        for sub in rest:
            if len(sub) == 4 and sub.isalpha():
                parts.append(sub.title())  # script: Latn
            elif len(sub) == 2 and sub.isalpha():
                if pycountry.countries.get(alpha_2=sub.upper()) is None:
                    continue  # 'en-EN': EN is no region; keep the language alone
                parts.append(sub.upper())
            elif len(sub) == 3 and sub.isdigit():
                parts.append(sub)  # UN M.49 region: es-419
        return "-".join(parts)
    try:
        found = pycountry.languages.lookup(raw)
    except LookupError:
        return None
    return getattr(found, "alpha_2", None) or found.alpha_3


def _language_code(code: str) -> str | None:
    if len(code) == 2:
        return code if pycountry.languages.get(alpha_2=code) else None
    found = pycountry.languages.get(alpha_3=code)
    if found is None:
        return None
    return getattr(found, "alpha_2", None) or code


# --- countries ----------------------------------------------------------------------------------

_COUNTRY_ALIASES = {"usa": "US", "u.s.": "US", "u.s.a.": "US", "united states of america": "US",
                    "uk": "GB", "u.k.": "GB", "great britain": "GB", "england": "GB", "scotland": "GB",
                    "wales": "GB", "northern ireland": "GB", "holland": "NL", "the netherlands": "NL",
                    "south korea": "KR", "korea": "KR", "russia": "RU", "czechia": "CZ", "vietnam": "VN",
                    "türkiye": "TR", "turkey": "TR", "deutschland": "DE", "españa": "ES", "italia": "IT"}


@lru_cache(maxsize=1024)
def parse_country(text: str) -> str | None:
    """ISO 3166-1 alpha-2 for a code or an English name: 'United States' -> US."""
    raw = text.strip()
    if raw.casefold() in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[raw.casefold()]
    if len(raw) == 2 and raw.isalpha():
        return raw.upper() if pycountry.countries.get(alpha_2=raw.upper()) else None
    try:
        return pycountry.countries.lookup(raw).alpha_2
    except LookupError:
        pass
    try:
        return pycountry.countries.search_fuzzy(raw)[0].alpha_2 if len(raw) > 3 else None
    except LookupError:
        return None


# --- durations and workload ---------------------------------------------------------------------

_UNITS = {
    "minute": "M", "minutes": "M", "min": "M", "mins": "M",
    "hour": "H", "hours": "H", "h": "H", "hr": "H", "hrs": "H",
    "day": "D", "days": "D", "d": "D",
    "week": "W", "weeks": "W", "wk": "W", "wks": "W", "w": "W",
    "month": "M_", "months": "M_", "mo": "M_", "mos": "M_",
    "year": "Y", "years": "Y", "yr": "Y", "yrs": "Y",
}
_ISO_DURATION = re.compile(
    r"P(?!$)(?:(?P<Y>\d+(?:\.\d+)?)Y)?(?:(?P<Mo>\d+(?:\.\d+)?)M)?(?:(?P<W>\d+(?:\.\d+)?)W)?(?:(?P<D>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<H>\d+(?:\.\d+)?)H)?(?:(?P<Mi>\d+(?:\.\d+)?)M)?(?:(?P<S>\d+(?:\.\d+)?)S)?)?",
    re.IGNORECASE,
)
_NUMBER = r"\d+(?:[.,]\d+)?"
_AMOUNT_UNIT = re.compile(rf"^({_NUMBER})\s*(?:-|–|to)?\s*({_NUMBER})?\s*([a-z]+)\.?$", re.IGNORECASE)


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _to_number(text: str) -> float:
    return float(text.replace(",", "."))


def iso_duration(amount: float, unit: str) -> str:
    """An ISO 8601 duration for an amount of a unit code from _UNITS ('M' minutes, 'M_' months)."""
    if unit in ("H", "M"):
        return f"PT{_fmt(amount)}{unit}"
    return f"P{_fmt(amount)}{'M' if unit == 'M_' else unit}"


def parse_iso_duration(text: str) -> dict[str, float] | None:
    """The parts of an ISO 8601 duration ('PT45H' -> {'H': 45}), or None if it is not one."""
    match = _ISO_DURATION.fullmatch(text.strip())
    if not match:
        return None
    return {k: float(v) for k, v in match.groupdict().items() if v is not None}


def parse_duration_text(text: str) -> tuple[str, str] | None:
    """'6 weeks' -> (P6W, P6W); '2-3 months' -> (P2M, P3M); 'P6W' stays. None when not understood."""
    raw = text.strip()
    if parse_iso_duration(raw) is not None:
        canon = raw.upper()
        return canon, canon
    match = _AMOUNT_UNIT.match(raw)
    if not match:
        return None
    low, high, unit = match.groups()
    code = _UNITS.get(unit.lower())
    if code is None:
        return None
    lo = _to_number(low)
    hi = _to_number(high) if high else lo
    if hi < lo or lo <= 0:
        return None
    return iso_duration(lo, code), iso_duration(hi, code)


_WEEKLY = re.compile(
    rf"^({_NUMBER})\s*(?:h|hrs?|hours?)\s*(?:/|a|per|each)\s*(?:week|wk)\s*(?:,|for|x|×|over)?\s*({_NUMBER})\s*(?:weeks?|wks?)$",
    re.IGNORECASE,
)
_HOURS = re.compile(rf"^({_NUMBER})\s*(?:h|hrs?|hours?)(?:\s+(?:of\s+)?(?:study|learning|work|effort))?$", re.IGNORECASE)
_ECTS = re.compile(rf"^({_NUMBER})\s*(?:ects|ects credits?|credits? \(ects\)|ects points?)$", re.IGNORECASE)


@dataclass(frozen=True)
class WorkloadResult:
    workload: Workload | None
    duration: Duration | None = None


def parse_workload(value: Any, report: Report, loc: tuple = ("workload",)) -> WorkloadResult:
    """'40 hours', 'PT40H', '3 h/week for 6 weeks' (-> 18 hours and a 6-week duration), {hours, ects}."""
    if isinstance(value, dict):
        hours = float(value["hours"]) if value.get("hours") is not None else None
        ects = float(value["ects"]) if value.get("ects") is not None else None
        if hours is None and ects is None:
            report(loc, "the workload states neither hours nor ects", "write {hours: 40} or {ects: 2}")
            return WorkloadResult(None)
        return WorkloadResult(Workload(hours, ects))
    text = str(value).strip()
    if match := _WEEKLY.match(text):
        per_week, weeks = _to_number(match.group(1)), _to_number(match.group(2))
        return WorkloadResult(Workload(hours=per_week * weeks), Duration(iso_duration(weeks, "W"), iso_duration(weeks, "W")))
    if match := _HOURS.match(text):
        return WorkloadResult(Workload(hours=_to_number(match.group(1))))
    if match := _ECTS.match(text):
        return WorkloadResult(Workload(ects=_to_number(match.group(1))))
    parts = parse_iso_duration(text)
    if parts is not None:
        if set(parts) <= {"H", "Mi"}:
            return WorkloadResult(Workload(hours=parts.get("H", 0) + parts.get("Mi", 0) / 60))
        if "Mo" in parts and set(parts) == {"Mo"}:
            months = _fmt(parts["Mo"])
            report(loc, f"'{text}' is an ISO 8601 duration of {months} months, not {months} hours or minutes",
                   f"for {months} hours of study write PT{months}H (or '{months} hours'); "
                   f"for a course that runs {months} months use duration: P{months}M", severity="warning")
            return WorkloadResult(None)
        report(loc, f"'{text}' is a calendar duration, not a workload",
               "workload is the learner's effort in hours (PT40H, '40 hours') or ECTS ({ects: 2}); "
               "put calendar time in 'duration'")
        return WorkloadResult(None)
    if re.fullmatch(_NUMBER, text):
        report(loc, f"the workload '{text}' has no unit", f"write '{text} hours' or {{ects: {text}}}")
        return WorkloadResult(None)
    report(loc, f"cannot read the workload '{text}'",
           "write '40 hours', 'PT40H', '3 h/week for 6 weeks', {hours: 40} or {ects: 2}")
    return WorkloadResult(None)


def parse_duration(value: Any, report: Report, loc: tuple = ("duration",)) -> Duration | None:
    """'6 weeks', '2-3 months', 'P6W', or {min, max} -> ISO 8601 min/max."""
    hint = "write '6 weeks', '2-3 months', 'P6W' or {min: P2M, max: P3M}"
    if isinstance(value, dict):
        ends = []
        for end in ("min", "max"):
            if value.get(end) is None:
                continue
            parsed = parse_duration_text(str(value[end]))
            if parsed is None or parsed[0] != parsed[1]:
                report(loc + (end,), f"cannot read the duration '{value[end]}'", hint)
                return None
            ends.append(parsed[0])
        if not ends:
            report(loc, "the duration states neither min nor max", hint)
            return None
        low, high = (ends[0], ends[-1])
        return Duration(low, high)
    parsed = parse_duration_text(str(value))
    if parsed is None:
        report(loc, f"cannot read the duration '{value}'", hint)
        return None
    return Duration(*parsed)


# --- level, participation, assessment -------------------------------------------------------------

_EQF = re.compile(r"^eqf\s*(?:level\s*)?(\d+)$", re.IGNORECASE)


def parse_level(value: Any, report: Report, loc: tuple = ("level",)) -> Level | None:
    """{eqf: 5}, 'EQF 5' or a difficulty word; difficulty words never become EQF levels."""
    if isinstance(value, dict):
        eqf = int(float(value["eqf"])) if value.get("eqf") is not None else None
        return Level(eqf, value.get("audience"))
    text = str(value).strip()
    if match := _EQF.match(text):
        eqf = int(match.group(1))
        if 1 <= eqf <= 8:
            return Level(eqf=eqf)
        report(loc, f"EQF levels run from 1 to 8, got {eqf}", "write the level the provider states, e.g. 'EQF 5'")
        return None
    if text.casefold() in ("beginner", "intermediate", "advanced"):
        return Level(audience=text.casefold())
    from .errors import suggestion

    hint = suggestion(text.casefold(), ("beginner", "intermediate", "advanced"))
    if text.isdigit():
        hint = f"write {{eqf: {text}}} if the provider states EQF level {text}"
    report(loc, f"expected one of beginner, intermediate, advanced or {{eqf: 1-8}}, got '{text}'",
           hint or "use beginner, intermediate or advanced for difficulty, or {eqf: N} for a stated EQF level")
    return None


_PARTICIPATION = {"online": "online", "onsite": "onsite", "on-site": "onsite", "in person": "onsite",
                  "in-person": "onsite", "blended": "blended", "hybrid": "blended"}


def parse_participation(value: str) -> str:
    """online | onsite | blended ('in person' -> onsite, 'hybrid' -> blended)."""
    return _PARTICIPATION[value]


def parse_assessment(value: Any) -> Assessment:
    """'exam', [exam, project] or {type, supervision, id_verified}."""
    if isinstance(value, dict):
        types = value["type"] if isinstance(value["type"], list) else [value["type"]]
        return Assessment(tuple(dict.fromkeys(types)), value.get("supervision"), value.get("id_verified"))
    types = value if isinstance(value, list) else [value]
    return Assessment(tuple(dict.fromkeys(types)))


# --- cost ---------------------------------------------------------------------------------------

_SYMBOLS = {"€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₺": "TRY", "zł": "PLN",
            "us$": "USD", "a$": "AUD", "c$": "CAD", "ca$": "CAD", "nz$": "NZD", "s$": "SGD", "hk$": "HKD",
            "r$": "BRL", "chf": "CHF", "fr.": "CHF"}
_DOLLAR_BY_COUNTRY = {"US": "USD", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "SG": "SGD", "HK": "HKD",
                      "MX": "MXN", "TW": "TWD", "EC": "USD", "SV": "USD", "PA": "USD", "PR": "USD"}
_PER = {"month": "month", "mo": "month", "monthly": "month", "year": "year", "yr": "year", "annual": "year",
        "exam": "exam", "attempt": "attempt", "course": "course", "credit": "credit", "once": "once"}
_COST_TEXT = re.compile(
    r"^(?P<pre>[^\d\s]{1,4})?\s*(?P<amount>\d{1,3}(?:[,\s]\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)\s*(?P<post>[A-Za-z€£¥₹$.]{1,4})?"
    r"(?:\s*(?:/|per|a|an|each)\s*(?P<per>[a-z]+))?$",
    re.IGNORECASE,
)
_FREE = {"free", "free of charge", "no cost", "gratis", "kostenlos", "gratuit", "gratuito", "0"}


@lru_cache(maxsize=1024)
def _is_currency(code: str) -> bool:
    """Whether `code` is an ISO 4217 code (a pycountry lookup costs microseconds; a record has a few)."""
    return pycountry.currencies.get(alpha_3=code) is not None


def _currency(symbol: str, country: str) -> tuple[str | None, str]:
    """(ISO code or None, hint) for a currency symbol or code."""
    sym = symbol.strip().lower()
    if sym == "$":
        code = _DOLLAR_BY_COUNTRY.get(country)
        if code:
            return code, ""
        return None, f"'$' is ambiguous for a provider in {country}; write the ISO code, e.g. 'USD 49'"
    if sym in _SYMBOLS:
        return _SYMBOLS[sym], ""
    if len(sym) == 3 and sym.isalpha() and _is_currency(sym.upper()):
        return sym.upper(), ""
    return None, "write an ISO 4217 code such as USD, EUR or GBP"


_GROUPED = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")


def _decimal(text: str) -> str:
    """A canonical decimal string: '1,200.00' -> '1200', '49.50' -> '49.5'."""
    cleaned = text.replace(" ", "")
    if _GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    cleaned = cleaned.replace(",", ".")
    value = Decimal(cleaned).normalize()
    text_out = format(value, "f")
    return text_out


def parse_cost(value: Any, country: str, report: Report, loc: tuple = ("cost",)) -> tuple[Cost, ...]:
    """free, 'USD 49', '$49' (by the provider's country), '49 EUR', {amount, currency, per}, or a list."""
    items = value if isinstance(value, list) else [value]
    out: list[Cost] = []
    for i, item in enumerate(items):
        where = loc + (i,) if isinstance(value, list) else loc
        cost = _one_cost(item, country, report, where)
        if cost is not None and cost not in out:
            out.append(cost)
    return tuple(out)


def _one_cost(item: Any, country: str, report: Report, loc: tuple) -> Cost | None:
    if isinstance(item, dict):
        try:
            amount = _decimal(str(item["amount"]))
        except (InvalidOperation, ValueError):
            report(loc + ("amount",), f"cannot read the amount '{item['amount']}'", "write a number, e.g. 49 or 49.99")
            return None
        currency = item.get("currency")
        if amount != "0" and not currency:
            report(loc, "the cost has an amount but no currency", "add 'currency: USD' (an ISO 4217 code)")
            return None
        if currency and not _is_currency(currency):
            report(loc + ("currency",), f"'{currency}' is not an ISO 4217 currency code", "write e.g. USD, EUR or GBP")
            return None
        return Cost(amount, currency if amount != "0" or currency else None, item.get("per"))
    if isinstance(item, (int, float)) and not isinstance(item, bool):
        if item == 0:
            return Cost("0", None)
        report(loc, f"the cost {item} has no currency", f"write 'USD {item}' or {{amount: {item}, currency: USD}}")
        return None
    text = str(item).strip()
    if text.casefold() in _FREE:
        return Cost("0", None)
    match = _COST_TEXT.match(text)
    if not match:
        report(loc, f"cannot read the cost '{text}'", "write free, 'USD 49', '49 EUR' or {amount: 49, currency: USD}")
        return None
    pre, post, per = match.group("pre"), match.group("post"), match.group("per")
    symbol = (pre or "") + ("" if not post else "")
    if pre and post:
        report(loc, f"the cost '{text}' names its currency twice", "write it once, e.g. 'USD 49'")
        return None
    symbol = pre or post
    if not symbol:
        report(loc, f"the cost '{text}' has no currency", f"write 'USD {text}' or '{text} EUR'")
        return None
    code, hint = _currency(symbol, country)
    if code is None:
        report(loc, f"unknown currency '{symbol}' in '{text}'", hint)
        return None
    per_norm = None
    if per:
        per_norm = _PER.get(per.lower())
        if per_norm is None:
            report(loc, f"cannot read '{per}' in the cost '{text}'", "write e.g. 'USD 39/month' or {amount: 39, currency: USD, per: month}")
            return None
    return Cost(_decimal(match.group("amount")), code, per_norm)


# --- occupations, dates, text -------------------------------------------------------------------

_OCCUPATION_PREFIX = re.compile(r"^(?:SOC|ISCO|O\*NET)[ -]?", re.IGNORECASE)


def parse_occupation(text: str) -> Occupation:
    """'15-2051' -> SOC, '2511' -> ISCO-08; a 'SOC '/'ISCO ' prefix is allowed."""
    code = _OCCUPATION_PREFIX.sub("", text.strip())
    return Occupation("soc" if "-" in code else "isco", code)


def split_list(value: Any) -> list[str]:
    """A list of strings; a single string with commas ('python, sql') is split, as exports often join them."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def lang_map(value: Any, default_lang: str) -> tuple[tuple[str, str], ...]:
    """A text or {lang: text} as (lang, text) pairs, the default language first, then sorted."""
    if isinstance(value, dict):
        pairs = {(parse_language(str(k)) or str(k)): str(v).strip() for k, v in value.items()}
    else:
        pairs = {default_lang: str(value).strip()}
    first = [(default_lang, pairs.pop(default_lang))] if default_lang in pairs else []
    return tuple(first + sorted(pairs.items()))


def check_date(text: str, report: Report, loc: tuple, as_of: str | None) -> str | None:
    """A real calendar date as YYYY-MM-DD; a date after `as_of` is a warning."""
    from datetime import date

    try:
        parsed = date.fromisoformat(text.strip())
    except ValueError:
        report(loc, f"'{text}' is not a real date", "write an existing date as YYYY-MM-DD, e.g. 2026-03-01")
        return None
    if as_of and parsed.isoformat() > as_of:
        report(loc, f"the date {parsed.isoformat()} is in the future (after {as_of})",
               "write the date on which you last checked the record", severity="warning")
    return parsed.isoformat()


# --- whole records ------------------------------------------------------------------------------

def normalize_provider(pid: str, data: dict, report: Report, source: str) -> Provider | None:
    """A Provider from a checked provider.yml mapping, or None if its country cannot be read."""
    country = parse_country(str(data["country"]))
    if country is None:
        from .errors import suggestion

        names = [c.name for c in pycountry.countries]
        hint = suggestion(str(data["country"]), names)
        report(("country",), f"'{data['country']}' is not a country this catalog knows",
               (hint + " " if hint else "") + "write an ISO 3166-1 alpha-2 code such as US, DE or IE")
        return None
    html, text = render_markdown(str(data.get("description") or ""))
    maintainers = tuple(sorted({m.lstrip("@") for m in split_list(data.get("maintainers"))}))
    return Provider(pid, str(data["name"]).strip(), str(data["url"]).strip(), country, html, text, maintainers, source)


def normalize_credential(cid: str, data: dict, provider: Provider, resolve_skill: Callable[[Any, tuple], Skill],
                         report: Report, as_of: str | None, source: str) -> Credential | None:
    """A Credential from a checked record mapping; None when a required value cannot be read.

    `data` holds only the fields that passed the shape check, so every remaining field is still
    parsed (and its problems reported) even when others are broken.
    """
    raw_langs = data.get("languages")
    if isinstance(raw_langs, str) and "," in raw_langs:
        lang_items = split_list(raw_langs)
    else:
        lang_items = _items(raw_langs)
    languages: list[str] = []
    for i, raw in enumerate(lang_items):
        tag = parse_language(str(raw))
        if tag is None:
            where = ("languages", i) if isinstance(raw_langs, list) else ("languages",)
            report(where, f"'{raw}' is not a language this catalog knows",
                   "write a BCP 47 code such as en, de, fr or pt-BR, or the language's English name")
            continue
        if tag not in languages:
            languages.append(tag)
    default = languages[0] if languages else "en"
    title = lang_map(data["title"], default) if "title" in data else ()
    descriptions = lang_map(data["description"], default) if "description" in data else ()
    html_map, text_map = [], []
    for lang, md in descriptions:
        html, text = render_markdown(md)
        html_map.append((lang, html))
        text_map.append((lang, text))

    workload = duration = None
    if data.get("workload") is not None:
        result = parse_workload(data["workload"], report)
        workload, duration = result.workload, result.duration
    if data.get("duration") is not None:
        stated = parse_duration(data["duration"], report)
        duration = stated or duration
    level = parse_level(data["level"], report) if data.get("level") is not None else None
    cost = parse_cost(data["cost"], provider.country, report) if data.get("cost") is not None else ()
    skills_raw = data.get("skills") or []
    skills_list = skills_raw if isinstance(skills_raw, list) else [skills_raw]
    skills: list[Skill] = []
    for i, item in enumerate(skills_list):
        skill = resolve_skill(item, ("skills", i) if isinstance(skills_raw, list) else ("skills",))
        if all(s.label != skill.label and (s.id is None or s.id != skill.id) for s in skills):
            skills.append(skill)
    stack = data.get("stackability") or {}
    pid = provider.id
    part_of = tuple(_qualify(x, pid) for x in split_list(stack.get("part_of")))
    leads_to = tuple(_qualify(x, pid) for x in split_list(stack.get("leads_to")))
    last_verified = None
    if data.get("last_verified") is not None:
        last_verified = check_date(str(data["last_verified"]), report, ("last_verified",), as_of)
    tags = tuple(dict.fromkeys(t for t in split_list(data.get("tags")) if t))
    if not (languages and title and descriptions and "type" in data and "url" in data):
        return None  # a required field is missing or broken: already reported
    return Credential(
        id=cid, provider=provider, slug=cid.split("/", 1)[1], title=title, type=data["type"],
        description_html=tuple(html_map), description_text=tuple(text_map), url=str(data["url"]).strip(),
        languages=tuple(languages), skills=tuple(skills),
        learning_outcomes=tuple(split_list(data.get("learning_outcomes")) if not isinstance(data.get("learning_outcomes"), str)
                                else [data["learning_outcomes"].strip()]),
        workload=workload, duration=duration, level=level,
        participation=parse_participation(data["participation"]) if data.get("participation") else None,
        assessment=parse_assessment(data["assessment"]) if data.get("assessment") is not None else None,
        quality_assurance=tuple(QualityAssurance(q["type"], q.get("body"), q.get("url")) for q in _items(data.get("quality_assurance"))),
        cost=cost,
        prerequisites=tuple(split_list(data.get("prerequisites")) if not isinstance(data.get("prerequisites"), str)
                            else [data["prerequisites"].strip()]),
        part_of=part_of, leads_to=leads_to,
        occupations=tuple(dict.fromkeys(parse_occupation(o) for o in split_list(data.get("occupations")))),
        status=data.get("status") or "active", tags=tags, last_verified=last_verified, source=source,
    )


def _items(value: Any) -> list:
    """A value that may be given alone or as a list, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _qualify(ref: str, provider_id: str) -> str:
    """A stackability reference as a full id: a bare slug means the same provider."""
    return ref if "/" in ref else f"{provider_id}/{ref}"
