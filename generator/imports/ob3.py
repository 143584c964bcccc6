"""Open Badges 3.0: an Achievement, an OpenBadgeCredential (its achievement is imported; the award
itself and its recipient are not), a list of either, or {"achievements": [...]}.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from ..exports.vocab import AUDIENCE_LEVEL_IN, EQF_PREFIX, OB3_TYPE_IN, eqf_from_uri
from .common import (assessment_entry, country_from, https_url, number, split_joined, text_list,
                     text_value, whole)
from .draft import Draft

_CONSUMED = {"@context", "id", "type", "name", "description", "criteria", "achievementType", "creator", "inLanguage",
             "tag", "alignment", "creditsAvailable", "workloadHours", "specialization", "fieldOfStudy", "otherIdentifier"}
_AWARD_KEYS = {"@context", "type", "credentialSubject", "issuer"}
_PROFILE_KEYS = {"id", "type", "name", "url", "address"}


def achievements(doc: Any, where: str = "") -> Iterator[tuple[str, dict, dict | None, dict]]:
    """(pointer, achievement, issuer, credential) for each achievement in a document."""
    if isinstance(doc, list):
        for i, item in enumerate(doc):
            yield from achievements(item, f"{where}/{i}")
        return
    if not isinstance(doc, dict):
        return
    if isinstance(doc.get("achievements"), list):
        yield from achievements(doc["achievements"], f"{where}/achievements")
        return
    subject = doc.get("credentialSubject")
    if subject is not None:
        subjects = subject if isinstance(subject, list) else [subject]
        for i, sub in enumerate(subjects):
            if isinstance(sub, dict) and isinstance(sub.get("achievement"), dict):
                path = f"{where}/credentialSubject" + (f"/{i}" if isinstance(subject, list) else "") + "/achievement"
                yield path, sub["achievement"], doc.get("issuer") if isinstance(doc.get("issuer"), dict) else None, doc
        return
    types = doc.get("type")
    if types == "Achievement" or (isinstance(types, list) and "Achievement" in types) or "achievementType" in doc:
        yield where or "/", doc, None, {}


def read(doc: Any, source: str) -> list[Draft]:
    """Drafts for every achievement in an OB3 document."""
    return [_draft(a, issuer, cred, f"{source}#{ptr}" if ptr not in ("", "/") else source)
            for ptr, a, issuer, cred in achievements(doc)]


def _draft(ach: dict, issuer: dict | None, cred: dict, source: str) -> Draft:
    draft = Draft(source, "ob3")
    title, langs = text_value(ach.get("name"))
    description, more = text_value(ach.get("description"))
    draft.set("title", title)
    draft.set("description", description)
    languages = [x for x in text_list(ach.get("inLanguage"))] or langs + more
    if languages:
        draft.set("languages", list(dict.fromkeys(languages)))
    kind = ach.get("achievementType")
    if isinstance(kind, str) and kind in OB3_TYPE_IN:
        draft.set("type", OB3_TYPE_IN[kind])
    else:
        draft.set("type", "badge", f"type: achievementType {kind!r} has no credcat equivalent; an Open Badge is "
                                   "imported as a badge. Change it if another type fits." if kind else
                  "type: the achievement states no achievementType; an Open Badge is imported as a badge.")
    criteria = ach.get("criteria") if isinstance(ach.get("criteria"), dict) else {}
    url = https_url(criteria.get("id")) or https_url(ach.get("id"))
    if url:
        draft.set("url", url)
    _criteria(draft, criteria.get("narrative"))
    _alignments(draft, ach.get("alignment") or [])
    tags = text_list(ach.get("tag"))
    joined = split_joined(text_list(ach.get("fieldOfStudy")) + text_list(ach.get("specialization")))
    if joined:
        draft.note("tags", "tags: includes fieldOfStudy and specialization, split at commas.")
    draft.set("tags", list(dict.fromkeys(tags + joined)))
    workload: dict[str, Any] = {}
    credits = number(ach.get("creditsAvailable"))
    if credits is not None:
        workload["ects"] = whole(credits)
        draft.note("workload", f"workload: creditsAvailable {ach['creditsAvailable']!r} is read as ECTS credits, as "
                               "European OB3 profiles use it; if the issuer meant credit hours, write {hours: ...} instead.")
    hours = number(ach.get("workloadHours"))
    if hours is not None:
        workload["hours"] = whole(hours)
    draft.set("workload", workload)
    for entry in ach.get("otherIdentifier") or []:
        ident = entry.get("identifier") if isinstance(entry, dict) else None
        if isinstance(ident, str) and re.fullmatch(r"[a-z0-9-]+/[a-z0-9-]+", ident):
            draft.slug = ident.split("/", 1)[1]
    creator = ach.get("creator") if isinstance(ach.get("creator"), dict) else None
    draft.provider = {**_profile(issuer or {}), **_profile(creator or {})}  # the creator's word first
    prefix = "credentialSubject.achievement." if cred else ""
    for key, value in ach.items():
        if key not in _CONSUMED:
            draft.skip(f"{prefix}{key}", value)
    if ach.get("id") and not https_url(ach.get("id")) and url != ach.get("id"):
        draft.skip(f"{prefix}id", ach["id"], "not a web page")
    if criteria.get("id") and not https_url(criteria.get("id")):
        draft.skip(f"{prefix}criteria.id", criteria["id"], "not an https page")
    if cred:
        for key, value in cred.items():
            if key == "credentialSubject":
                draft.skip_private("credentialSubject (the recipient: identifier, results)")
            elif key not in _AWARD_KEYS:
                draft.skip(key, value, "about this award, not the credential")
        for key, value in (issuer or {}).items():
            if key not in _PROFILE_KEYS:
                draft.skip(f"issuer.{key}", value)
    return draft


def _criteria(draft: Draft, narrative: Any) -> None:
    """Learning outcomes, assessment and prerequisites from a criteria narrative written as our export writes it."""
    if not isinstance(narrative, str) or not narrative.strip():
        return
    outcomes, rest = [], []
    for line in narrative.splitlines():
        stripped = line.strip()
        if stripped.startswith(("- ", "* ")):
            outcomes.append(stripped[2:].strip())
        elif stripped.startswith("Assessment:"):
            text = stripped[len("Assessment:"):]
            entry = assessment_entry(text, text)
            if entry:
                draft.set("assessment", entry if len(entry) > 1 else entry["type"])
            else:
                rest.append(stripped)
        elif stripped.startswith("Prerequisites:"):
            draft.set("prerequisites", [p.strip().rstrip(".") for p in stripped[len("Prerequisites:"):].split(";") if p.strip()])
        elif stripped and not stripped.endswith("can:"):
            rest.append(stripped)
    if outcomes:
        draft.set("learning_outcomes", outcomes, "learning_outcomes: from the list in criteria.narrative.")
    if rest:
        draft.skip("criteria.narrative", " ".join(rest), "how the credential is earned; no record field holds it")


def _alignments(draft: Draft, alignments: list) -> None:
    skills: list[Any] = []
    level: dict[str, Any] = {}
    for i, align in enumerate(alignments if isinstance(alignments, list) else [alignments]):
        if not isinstance(align, dict):
            continue
        name, url = align.get("targetName"), str(align.get("targetUrl") or "")
        code, kind = str(align.get("targetCode") or ""), str(align.get("targetType") or "")
        eqf = eqf_from_uri(url) if url.startswith(EQF_PREFIX) else None
        if eqf is None and kind == "ext:EQFLevel" and code.isdigit():
            eqf = int(code)
        if eqf is not None:
            level["eqf"] = eqf
            continue
        audience = AUDIENCE_LEVEL_IN.get(code.split(":", 1)[-1]) or AUDIENCE_LEVEL_IN.get(url.rsplit("/", 1)[-1])
        if audience and ("audLevel" in code or "audLevel" in url):
            level["audience"] = audience
            continue
        if isinstance(name, str) and name.strip():
            skills.append({"label": name.strip(), "uri": url} if url else name.strip())
            if align.get("targetDescription"):
                draft.skip(f"alignment[{i}].targetDescription", align["targetDescription"])
        else:
            draft.skip(f"alignment[{i}]", align, "no targetName")
    draft.set("skills", skills)
    if level:
        draft.set("level", level if len(level) > 1 else (f"EQF {level['eqf']}" if "eqf" in level else level["audience"]))


def _profile(profile: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    name, _ = text_value(profile.get("name"))
    if isinstance(name, dict):
        name = next(iter(name.values()))
    if name:
        out["name"] = name
    if https_url(profile.get("url")):
        out["url"] = profile["url"].strip()
    address = profile.get("address") if isinstance(profile.get("address"), dict) else {}
    country = country_from(address.get("addressCountryCode") or address.get("addressCountry") or "")
    if country:
        out["country"] = country
    return out
