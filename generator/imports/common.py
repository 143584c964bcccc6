"""Readers for the shapes the standards share: language maps, numbers written as text, ISO durations,
concept objects, comma-joined lists, and free-text words for assessment and participation.
"""
from __future__ import annotations

import re
from typing import Any

from ..normalize import parse_country, parse_iso_duration, parse_language

LANG_KEY = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def is_langmap(value: Any) -> bool:
    """A JSON-LD language map: {"en": "...", "de": "..."}."""
    return isinstance(value, dict) and bool(value) and all(isinstance(k, str) and LANG_KEY.match(k) for k in value)


def langmap(value: Any) -> dict[str, str] | None:
    """A text as {lang: text}: a language map is kept (lists joined), a plain string has no language (key '')."""
    if value is None:
        return None
    if isinstance(value, str):
        return {"": value.strip()} if value.strip() else None
    if isinstance(value, list):
        found: dict[str, str] = {}
        for item in value:  # [{"@language": "en", "@value": "..."}] or plain strings
            if isinstance(item, dict) and "@value" in item:
                found.setdefault(str(item.get("@language", "")), str(item["@value"]).strip())
            elif isinstance(item, str):
                found.setdefault("", item.strip())
        return found or None
    if is_langmap(value):
        out = {}
        for k, v in value.items():
            text = "\n\n".join(str(x) for x in v) if isinstance(v, list) else str(v)
            if text.strip():
                out[k] = text.strip()
        return out or None
    if isinstance(value, dict) and "@value" in value:
        return {str(value.get("@language", "")): str(value["@value"]).strip()}
    return None


def text_value(value: Any) -> tuple[str | dict | None, list[str]]:
    """A record text field (a string, or {lang: text} when several languages) and the languages seen."""
    found = langmap(value)
    if not found:
        return None, []
    languages = [k for k in found if k]
    if len(found) == 1:
        return next(iter(found.values())), languages
    if "" in found:  # a plain text beside tagged ones: keep the tagged ones
        found.pop("")
    canon: dict[str, str] = {}
    for lang, text in found.items():
        canon[parse_language(lang) or lang] = text
    if len(set(canon.values())) == 1:  # the same text under every language tag: one text
        return next(iter(canon.values())), languages
    return canon, languages


def text_list(value: Any) -> list[str]:
    """A list of texts from a list, a language map of lists, or one string."""
    if value is None:
        return []
    if isinstance(value, list):
        out = []
        for item in value:
            out.extend(text_list(item))
        return out
    if is_langmap(value):
        first = next(iter(value.values()))
        return text_list(first)
    if isinstance(value, dict):
        found = langmap(value)
        return [next(iter(found.values()))] if found else []
    text = str(value).strip()
    return [text] if text else []


def split_joined(texts: list[str]) -> list[str]:
    """Items from texts that may join several with commas or semicolons ('Machine Learning, Statistics')."""
    out: list[str] = []
    for text in texts:
        for part in re.split(r"\s*[;,]\s*", text):
            if part and part not in out:
                out.append(part)
    return out


def number(value: Any) -> float | None:
    """A number from a number or from text ('5', '5.0', '5,5'); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return float(text)
    return None


def whole(value: float) -> int | float:
    """5.0 -> 5 (what a person would write)."""
    return int(value) if float(value).is_integer() else value


def iso_hours(text: str) -> tuple[float | None, str]:
    """Hours from an ISO 8601 duration of hours/minutes ('PT45H' -> 45), else (None, why not)."""
    parts = parse_iso_duration(text)
    if parts is None:
        return None, "not an ISO 8601 duration"
    if set(parts) <= {"H", "Mi"}:
        return parts.get("H", 0) + parts.get("Mi", 0) / 60, ""
    if set(parts) == {"Mo"}:
        months = whole(parts["Mo"])
        return None, (f"an ISO 8601 duration of {months} months, not {months} hours; "
                      f"if {months} hours of study were meant, write workload: {{hours: {months}}}")
    return None, "a calendar duration, not hours of study"


def concept_label(value: Any) -> str | None:
    """The label of a SKOS-like concept ({prefLabel: {...}}) or a plain text."""
    if is_langmap(value):
        found = langmap(value)
        return (found.get("en") or next(iter(found.values()))) if found else None
    if isinstance(value, dict):
        for key in ("prefLabel", "targetNodeName", "ceterms:targetNodeName", "title", "name"):
            if key in value:
                found = langmap(value[key])
                if found:
                    return found.get("en") or next(iter(found.values()))
        return None
    if isinstance(value, list):
        return concept_label(value[0]) if value else None
    found = langmap(value)
    return (found.get("en") or next(iter(found.values()))) if found else None


def concept_id(value: Any) -> str | None:
    """The id of a concept object ({id: ...} or {'@id': ...}) or an IRI string."""
    if isinstance(value, dict):
        ident = value.get("id") or value.get("@id")
        return str(ident) if ident else None
    if isinstance(value, list):
        return concept_id(value[0]) if value else None
    return str(value) if isinstance(value, str) else None


def language_from(value: Any) -> str | None:
    """A BCP 47 tag from a code, a name or an EU authority URI (.../language/ENG)."""
    ident = concept_id(value) if isinstance(value, dict) else value
    if isinstance(ident, str) and "/authority/language/" in ident:
        return parse_language(ident.rsplit("/", 1)[1].lower())
    if isinstance(ident, str):
        tag = parse_language(ident)
        if tag:
            return tag
    label = concept_label(value)
    return parse_language(label) if label else None


def country_from(value: Any) -> str | None:
    """ISO 3166-1 alpha-2 from a code, a name or an EU authority URI (.../country/SVN)."""
    ident = concept_id(value) if isinstance(value, dict) else value
    if isinstance(ident, str) and "/authority/country/" in ident:
        import pycountry

        found = pycountry.countries.get(alpha_3=ident.rsplit("/", 1)[1].upper())
        if found:
            return found.alpha_2
    if isinstance(ident, str):
        code = parse_country(ident) if len(ident) <= 60 else None
        if code:
            return code
    label = concept_label(value)
    return parse_country(label) if label else None


_ASSESSMENT_WORDS = (("exam", "exam"), ("test", "exam"), ("quiz", "quiz"), ("capstone", "project"),
                     ("project", "project"), ("portfolio", "portfolio"), ("assignment", "assignment"),
                     ("exercise", "assignment"), ("coursework", "assignment"), ("practical", "practical"),
                     ("hands-on", "practical"), ("peer", "peer-review"), ("interview", "interview"),
                     ("observation", "observation"))


def assessment_types(text: str) -> list[str]:
    """Assessment types named in free text ('Written Exam' -> exam, 'Graded exercises' -> assignment)."""
    lowered = text.lower()
    found = []
    for word, kind in _ASSESSMENT_WORDS:
        if word in lowered and kind not in found:
            found.append(kind)
    return found


def supervision(text: str) -> tuple[str | None, bool | None]:
    """(supervision, id_verified) from text such as 'Supervised with ID Verification'."""
    lowered = text.lower()
    level = None
    if "unsupervised" in lowered or "not supervised" in lowered:
        level = "none"
    elif "proctor" in lowered:
        level = "proctored"
    elif "supervis" in lowered:
        level = "supervised"
    verified = True if re.search(r"\b(id|identity)\b.{0,20}verif|verif.{0,20}\b(id|identity)\b", lowered) else None
    return level, verified


def assessment_entry(text: str, supervision_text: str) -> dict[str, Any] | None:
    """An assessment mapping {type, supervision?, id_verified?} read from free text, or None when no type is named."""
    types = assessment_types(text)
    if not types:
        return None
    level, verified = supervision(supervision_text)
    entry: dict[str, Any] = {"type": types}
    if level:
        entry["supervision"] = level
    if verified:
        entry["id_verified"] = True
    return entry


def participation(text: str) -> str | None:
    """online | onsite | blended from a mode's label."""
    lowered = text.lower()
    if "blended" in lowered or "hybrid" in lowered:
        return "blended"
    if "online" in lowered or "distance" in lowered or "remote" in lowered:
        return "online"
    if any(w in lowered for w in ("onsite", "on-site", "on site", "in person", "in-person", "face-to-face", "classroom", "campus")):
        return "onsite"
    return None


def https_url(value: Any) -> str | None:
    """The value when it is an https URL, else None."""
    if isinstance(value, str) and re.match(r"^https://\S+$", value.strip()):
        return value.strip()
    return None
