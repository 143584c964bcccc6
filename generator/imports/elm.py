"""European Learning Model (Europass EDC): a credential's claims (LearningAchievement and the
Qualification / LearningAchievementSpecification that specifies it), a standalone specification,
or the flat input-fields form used to fill an EDC micro-credential (credentialTitle, ectsPoints...).

What describes the credential is imported; what describes one award and its holder (name,
national id, grade, date issued, display images, signatures) is listed as not imported, the
holder's personal data by field name only.
"""
from __future__ import annotations

from typing import Any

from ..exports.vocab import ECTS_CONCEPT, eqf_from_uri
from .common import (assessment_entry, concept_id, concept_label, country_from, https_url, iso_hours,
                     language_from, number, participation, text_value, whole)
from .draft import Draft

_SPEC_TYPES = {"Qualification", "LearningAchievementSpecification", "LearningOpportunity", "LearningActivitySpecification"}
_PERSONAL = {"fullName", "givenName", "familyName", "nationalID", "nationalId", "contactPoint", "birthDate",
             "dateOfBirth", "placeOfBirth", "identifier", "email", "citizenshipCountry"}
_FLAT_KEYS = {"credentialTitle", "achievementTitle", "achievementDescription", "ectsPoints", "hoursOfLearning"}


def read(doc: Any, source: str) -> list[Draft]:
    """Drafts for each learning achievement (or specification, or flat form) in an ELM document."""
    if isinstance(doc, list):
        return [d for i, item in enumerate(doc) for d in read(item, f"{source}#/{i}")]
    if not isinstance(doc, dict):
        return []
    if _FLAT_KEYS & set(doc):
        return [_flat(doc, source)]
    subject = doc.get("credentialSubject")
    if isinstance(subject, dict):
        claims = subject.get("hasClaim")
        claims = claims if isinstance(claims, list) else [claims] if isinstance(claims, dict) else []
        drafts = []
        for i, claim in enumerate(claims):
            path = "credentialSubject.hasClaim" + (f"[{i}]" if len(claims) > 1 else "")
            draft = _claim(claim, path, f"{source}#/{path.replace('.', '/')}")
            _award_fields(draft, doc, subject)
            drafts.append(draft)
        return drafts
    kind = doc.get("type")
    if kind in _SPEC_TYPES or (isinstance(kind, list) and _SPEC_TYPES & set(kind)):
        draft = Draft(source, "elm")
        _specification(draft, doc, "")
        return [draft]
    return []


def _claim(claim: dict, path: str, source: str) -> Draft:
    draft = Draft(source, "elm")
    spec = claim.get("specifiedBy")
    spec = spec[0] if isinstance(spec, list) and spec else spec
    if isinstance(spec, dict):
        _specification(draft, spec, f"{path}.specifiedBy.")
    title, langs = text_value(claim.get("title"))
    if "title" not in draft.fields:
        draft.set("title", title)
    elif title:
        draft.skip(f"{path}.title", claim["title"], "the achievement's own title; the record uses its specification's")
    description, more = text_value(claim.get("description"))
    if description:
        draft.set("description", description)
    if "languages" not in draft.fields and (langs or more):
        draft.set("languages", list(dict.fromkeys(langs + more)))
    proven = claim.get("provenBy")
    proven = proven[0] if isinstance(proven, list) and proven else proven
    if isinstance(proven, dict):
        _assessment(draft, proven, f"{path}.provenBy")
    awarded = claim.get("awardedBy")
    if isinstance(awarded, dict) and isinstance(awarded.get("awardingBody"), (dict, list)):
        body = awarded["awardingBody"]
        draft.provider = _organisation(body[0] if isinstance(body, list) else body)
    for key, value in claim.items():
        if key not in {"id", "type", "title", "description", "specifiedBy", "provenBy", "awardedBy"}:
            draft.skip(f"{path}.{key}", value)
    if "type" not in draft.fields:
        draft.set("type", "micro-credential", "type: ELM does not name a credential type here; an EDC "
                                              "micro-credential is assumed. Change it if another type fits.")
    return draft


def _specification(draft: Draft, spec: dict, path: str) -> None:
    title, langs = text_value(spec.get("title"))
    draft.set("title", title)
    description, more = text_value(spec.get("description"))
    draft.set("description", description)
    languages = [t for t in (language_from(x) for x in _list(spec.get("language"))) if t] or langs + more
    draft.set("languages", list(dict.fromkeys(languages)))
    for key in ("homepage", "homePage", "supplementaryDocument"):
        for page in _list(spec.get(key)):
            url = https_url(page.get("contentURL") if isinstance(page, dict) else page)
            if url and "url" not in draft.fields:
                draft.set("url", url)
    workload: dict[str, Any] = {}
    volume = spec.get("volumeOfLearning")
    if isinstance(volume, str):
        hours, why = iso_hours(volume)
        if hours is not None:
            workload["hours"] = whole(hours)
            draft.note("workload", f"workload: hours from volumeOfLearning {volume}.")
        else:
            draft.skip(f"{path}volumeOfLearning", volume, why)
    for credit in _list(spec.get("creditPoint")) + _list(spec.get("ECTSCreditPoints")):
        point = number(credit.get("point") if isinstance(credit, dict) else credit)
        framework = credit.get("framework") if isinstance(credit, dict) else None
        if point is not None and (framework is None or concept_id(framework) == ECTS_CONCEPT
                                  or "ECTS" in (concept_label(framework) or "")):
            workload["ects"] = whole(point)
        else:
            draft.skip(f"{path}creditPoint", credit, "credits in a framework other than ECTS")
    draft.set("workload", workload)
    for key in ("eqfLevel", "EQFLevel"):
        level = eqf_from_uri(concept_id(spec.get(key)) or "")
        if level is not None:
            draft.set("level", {"eqf": level})
    outcomes, skills = [], []
    for outcome in _list(spec.get("learningOutcome")):
        if not isinstance(outcome, dict):
            continue
        text = concept_label(outcome.get("title"))
        if text:
            outcomes.append(text)
        for skill in _list(outcome.get("relatedESCOSkill")) + _list(outcome.get("relatedSkill")):
            label = concept_label(skill)
            ident = concept_id(skill) or ""
            if label and label not in [s if isinstance(s, str) else s["label"] for s in skills]:
                skills.append({"label": label, "uri": ident} if ident.startswith("http") else label)
                if ident and not ident.startswith("http"):
                    draft.skip(f"{path}learningOutcome.relatedESCOSkill ({label})", ident, "a local id, not an ESCO URI")
    draft.set("learning_outcomes", outcomes)
    draft.set("skills", skills)
    mode = spec.get("mode") or spec.get("learningSetting")
    found = participation(concept_label(mode) or "") if mode else None
    draft.set("participation", found)
    handled = {"id", "type", "title", "description", "language", "homepage", "homePage", "supplementaryDocument",
               "volumeOfLearning", "creditPoint", "ECTSCreditPoints", "eqfLevel", "EQFLevel", "learningOutcome"}
    if found:
        handled.add("mode")
    for key, value in spec.items():
        if key not in handled:
            draft.skip(f"{path}{key}", value)


def _assessment(draft: Draft, proven: dict, path: str) -> None:
    spec = proven.get("specifiedBy") if isinstance(proven.get("specifiedBy"), dict) else {}
    words = " / ".join(dict.fromkeys(filter(None, [concept_label(proven.get("title")), concept_label(spec.get("dcType")),
                                                   concept_label(spec.get("title"))])))
    entry = assessment_entry(words, concept_label(proven.get("idVerification")) or "")
    if entry:
        draft.set("assessment", entry, f"assessment: from '{words}'" +
                  (f" and '{concept_label(proven.get('idVerification'))}'" if proven.get("idVerification") else "") + ".")
    elif words:
        draft.skip(f"{path}.title", words, "no assessment type recognised")
    if isinstance(spec.get("mode"), dict) and "participation" not in draft.fields:
        draft.set("participation", participation(concept_label(spec["mode"]) or ""))
    for key in ("grade", "dateIssued", "awardedBy", "id"):
        if key in proven and key != "id":
            draft.skip(f"{path}.{key}", proven[key], "about this award")


def _award_fields(draft: Draft, doc: dict, subject: dict) -> None:
    for key in subject:
        if key in _PERSONAL:
            draft.skip_private(f"credentialSubject.{key}")
        elif key not in ("id", "type", "hasClaim"):
            draft.skip(f"credentialSubject.{key}", subject[key])
    for key, value in doc.items():
        if key not in ("@context", "type", "credentialSubject"):
            draft.skip(key, value, "about this award or its signature, not the credential")


def _organisation(body: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    name, _ = text_value(body.get("legalName") or body.get("prefLabel") or body.get("name"))
    if isinstance(name, dict):
        name = name.get("en") or next(iter(name.values()))
    if name:
        out["name"] = name
    for page in _list(body.get("homepage")) + _list(body.get("homePage")):
        url = https_url(page.get("contentURL") if isinstance(page, dict) else page)
        if url:
            out["url"] = url
            break
    for location in _list(body.get("location")):
        address = location.get("address") if isinstance(location, dict) else None
        country = country_from((address or {}).get("countryCode")) if isinstance(address, dict) else None
        if country:
            out["country"] = country
            break
    if "country" not in out:
        registration = body.get("registration") or body.get("legalIdentifier")
        if isinstance(registration, dict) and registration.get("spatial"):
            country = country_from(registration["spatial"])
            if country:
                out["country"] = country
    return out


def _flat(doc: dict, source: str) -> Draft:
    """The flat input-fields form: one level of keys, texts as language maps, numbers as text."""
    draft = Draft(source, "elm")
    title, langs = text_value(doc.get("achievementTitle") or doc.get("credentialTitle"))
    draft.set("title", title)
    description, more = text_value(doc.get("achievementDescription"))
    draft.set("description", description)
    languages = list(dict.fromkeys(langs + more + [k for v in doc.values() if isinstance(v, dict) for k in v
                                                   if k and len(k) <= 8]))
    draft.set("languages", languages[:1] if languages else [])
    generic, _ = text_value(doc.get("credentialTitle"))
    if isinstance(generic, str) and "micro" in generic.lower():
        draft.set("type", "micro-credential", f"type: from credentialTitle '{generic}'.")
    else:
        draft.set("type", "micro-credential", "type: the form is the EDC micro-credential form; "
                                              "micro-credential is assumed. Change it if another type fits.")
    workload: dict[str, Any] = {}
    ects = number(doc.get("ectsPoints"))
    if ects is not None:
        workload["ects"] = whole(ects)
    if isinstance(doc.get("hoursOfLearning"), str):
        raw = doc["hoursOfLearning"]
        hours, why = iso_hours(raw) if raw.upper().startswith("P") else (number(raw), "not a number of hours")
        if hours is not None:
            workload["hours"] = whole(hours)
        else:
            draft.skip("hoursOfLearning", raw, why)
    draft.set("workload", workload)
    words = " / ".join(filter(None, (concept_label(doc.get(k)) for k in ("title", "type"))))
    entry = assessment_entry(words, concept_label(doc.get("verificationMethod")) or "")
    if entry:
        draft.set("assessment", entry, f"assessment: from title/type '{words}' and verificationMethod.")
    mode = participation(concept_label(doc.get("mode")) or "")
    draft.set("participation", mode)
    handled = {"achievementTitle", "achievementDescription", "ectsPoints", "verificationMethod"}
    handled |= {"hoursOfLearning"} if "hours" in workload else set()
    handled |= {"title", "type"} if entry else set()
    handled |= {"mode"} if mode else set()
    if doc.get("achievementTitle"):
        handled.add("credentialTitle")
    for key, value in doc.items():
        if key in handled:
            continue
        if key in _PERSONAL or key in ("nationalId", "fullName"):
            draft.skip_private(key)
        elif key in ("dateIssued", "gradeAchieved", "awardingStatement"):
            draft.skip(key, value, "about one award, not the credential")
        else:
            draft.skip(key, value)
    return draft


def _list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
