"""CTDL JSON-LD: a credential node (ceterms:Certificate, ceterms:MicroCredential, ...), a list of
them, or a graph (`@graph`, as the Credential Registry serves). Keys may be compact (`ceterms:name`)
or full IRIs; texts may be language maps or plain strings.
"""
from __future__ import annotations

import re
from typing import Any

from ..exports.vocab import (AUDIENCE_LEVEL_IN, CETERMS, CTDL_CLASS_IN, DELIVERY_IN, ECTS_CONCEPT, EQF_PREFIX,
                             STATUS_IN, eqf_from_uri)
from .common import (assessment_types, concept_id, concept_label, country_from, https_url, iso_hours, language_from,
                     number, supervision, text_list, text_value, whole)
from .draft import Draft

_PAGE_ID = re.compile(r"/credentials/([a-z0-9]+(?:-[a-z0-9]+)*)/([a-z0-9]+(?:-[a-z0-9]+)*)/?$")


def _compact(node: Any) -> Any:
    """Full CTDL IRIs as `ceterms:` keys, recursively."""
    if isinstance(node, dict):
        return {(("ceterms:" + k[len(CETERMS):]) if isinstance(k, str) and k.startswith(CETERMS) else k): _compact(v)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_compact(v) for v in node]
    return node


def _local(kind: Any) -> str | None:
    for item in kind if isinstance(kind, list) else [kind]:
        if isinstance(item, str):
            name = item.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
            if name in CTDL_CLASS_IN:
                return name
    return None


def read(doc: Any, source: str) -> list[Draft]:
    """Drafts for every credential node in a CTDL document."""
    doc = _compact(doc)
    nodes: list[tuple[str, dict]] = []
    if isinstance(doc, dict) and isinstance(doc.get("@graph"), list):
        nodes = [(f"{source}#/@graph/{i}", n) for i, n in enumerate(doc["@graph"]) if isinstance(n, dict)]
    elif isinstance(doc, list):
        nodes = [(f"{source}#/{i}", n) for i, n in enumerate(doc) if isinstance(n, dict)]
    elif isinstance(doc, dict):
        nodes = [(source, doc)]
    return [_draft(node, where) for where, node in nodes if _local(node.get("@type"))]


def _list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _draft(node: dict, source: str) -> Draft:
    draft = Draft(source, "ctdl")
    used = {"@context", "@type", "@id"}
    title, langs = text_value(node.get("ceterms:name"))
    description, more = text_value(node.get("ceterms:description"))
    draft.set("title", title)
    draft.set("description", description)
    draft.set("type", CTDL_CLASS_IN[_local(node.get("@type")) or ""])
    draft.set("url", https_url(node.get("ceterms:subjectWebpage")))
    languages = [t for t in (language_from(x) for x in text_list(node.get("ceterms:inLanguage"))) if t]
    draft.set("languages", list(dict.fromkeys(languages or langs + more)))
    used |= {"ceterms:name", "ceterms:description", "ceterms:subjectWebpage", "ceterms:inLanguage"}
    match = _PAGE_ID.search(str(node.get("@id") or ""))
    if match:
        draft.slug = match.group(2)

    workload: dict[str, Any] = {}
    for profile in _list(node.get("ceterms:estimatedDuration")):
        if not isinstance(profile, dict):
            continue
        exact, low, high = (profile.get(f"ceterms:{k}") for k in ("exactDuration", "minimumDuration", "maximumDuration"))
        if exact:
            draft.set("duration", str(exact))
        elif low or high:
            draft.set("duration", {k: str(v) for k, v in (("min", low), ("max", high)) if v})
        required = profile.get("ceterms:timeRequired")
        if required:
            hours, why = iso_hours(str(required))
            if hours is not None:
                workload["hours"] = whole(hours)
            else:
                draft.skip("ceterms:estimatedDuration.ceterms:timeRequired", required, why)
    for value in _list(node.get("ceterms:creditValue")):
        if not isinstance(value, dict):
            continue
        amount = number(value.get("schema:value", value.get("qdata:value", value.get("ceterms:value"))))
        units = _list(value.get("ceterms:creditUnitType"))
        if amount is not None and any(concept_id(u) == ECTS_CONCEPT or "ECTS" in (concept_label(u) or "") or
                                      "ECTS" in str(u) for u in units):
            workload["ects"] = whole(amount)
        else:
            draft.skip("ceterms:creditValue", value, "credit in a unit other than ECTS")
    draft.set("workload", workload)
    used |= {"ceterms:estimatedDuration", "ceterms:creditValue"}

    level: dict[str, Any] = {}
    for align in _list(node.get("ceterms:audienceLevelType")):
        target = str(concept_id({"id": _target(align)}) or "")
        eqf = eqf_from_uri(target) if target.startswith(EQF_PREFIX) else None
        if eqf is not None:
            level["eqf"] = eqf
        elif target.rsplit(":", 1)[-1].rsplit("/", 1)[-1] in AUDIENCE_LEVEL_IN:
            level["audience"] = AUDIENCE_LEVEL_IN[target.rsplit(":", 1)[-1].rsplit("/", 1)[-1]]
        else:
            draft.skip("ceterms:audienceLevelType", align, "not a beginner/intermediate/advanced or EQF level")
    if level:
        draft.set("level", level)
    for key in ("ceterms:learningDeliveryType", "ceterms:deliveryType"):
        for align in _list(node.get(key)):
            found = DELIVERY_IN.get(_target(align).rsplit(":", 1)[-1].rsplit("/", 1)[-1])
            if found:
                draft.set("participation", found)
    status = STATUS_IN.get(_target(node.get("ceterms:credentialStatusType")).rsplit(":", 1)[-1].rsplit("/", 1)[-1])
    draft.set("status", status if status == "retired" else None)
    used |= {"ceterms:audienceLevelType", "ceterms:learningDeliveryType", "ceterms:deliveryType", "ceterms:credentialStatusType"}

    costs = []
    for cost in _list(node.get("ceterms:estimatedCost")):
        price = number(cost.get("ceterms:price")) if isinstance(cost, dict) else None
        if price is None:
            draft.skip("ceterms:estimatedCost", cost, "no price")
            continue
        entry: dict[str, Any] = {"amount": whole(price)}
        if cost.get("ceterms:currency"):
            entry["currency"] = str(cost["ceterms:currency"])
        per = re.search(r"\bper (month|year|exam|attempt|course|credit)\b", " ".join(text_list(cost.get("ceterms:description"))))
        if per:
            entry["per"] = per.group(1)
        costs.append("free" if price == 0 and "currency" not in entry else entry)
    draft.set("cost", costs)
    used.add("ceterms:estimatedCost")

    skills, outcomes = [], []
    for profile in _list(node.get("ceterms:requires")):
        if not isinstance(profile, dict):
            continue
        name = " ".join(text_list(profile.get("ceterms:name"))).lower()
        for comp in _list(profile.get("ceterms:targetCompetency")):
            label, target = concept_label(comp), _target(comp)
            if label:
                skills.append({"label": label, "uri": target} if target.startswith("http") else label)
        conditions = text_list(profile.get("ceterms:condition"))
        if conditions and "outcome" in name:
            outcomes.extend(conditions)
        elif conditions:
            draft.skip("ceterms:requires.ceterms:condition", conditions, "a requirement, not a learning outcome")
        described = " ".join(text_list(profile.get("ceterms:description")))
        if described.startswith("Assessment:") and assessment_types(described):
            level_, verified = supervision(described)
            draft.set("assessment", {"type": assessment_types(described), **({"supervision": level_} if level_ else {})})
        elif described:
            draft.skip("ceterms:requires.ceterms:description", described)
    draft.set("skills", skills)
    draft.set("learning_outcomes", outcomes)
    prerequisites = [c for p in _list(node.get("ceterms:entryCondition")) if isinstance(p, dict)
                     for c in text_list(p.get("ceterms:condition"))]
    draft.set("prerequisites", prerequisites)
    used |= {"ceterms:requires", "ceterms:entryCondition"}

    stack = {"part_of": _ids(node.get("ceterms:isPartOf"), draft, "ceterms:isPartOf"),
             "leads_to": _ids([t for p in _list(node.get("ceterms:isPreparationFor")) if isinstance(p, dict)
                               for t in _list(p.get("ceterms:targetCredential"))], draft, "ceterms:isPreparationFor")}
    draft.set("stackability", {k: v for k, v in stack.items() if v})
    occupations = []
    for align in _list(node.get("ceterms:occupationType")):
        code = str(align.get("ceterms:codedNotation") or "") if isinstance(align, dict) else ""
        if re.fullmatch(r"\d{2}-\d{4}(\.\d{2})?|\d{1,4}", code):
            occupations.append(code)
        else:
            draft.skip("ceterms:occupationType", align, "no SOC or ISCO code")
    draft.set("occupations", occupations)
    qa = []
    for org in _list(node.get("ceterms:accreditedBy")):
        name = concept_label({"name": org.get("ceterms:name")}) if isinstance(org, dict) else None
        if name:
            qa.append({"type": "external", "body": name, **({"url": https_url(org.get("ceterms:subjectWebpage"))}
                                                           if https_url(org.get("ceterms:subjectWebpage")) else {})})
        else:
            draft.skip("ceterms:accreditedBy", org, "no name")
    draft.set("quality_assurance", qa)
    tags = text_list(node.get("ceterms:keyword"))
    draft.set("tags", list(dict.fromkeys(tags)))
    used |= {"ceterms:isPartOf", "ceterms:isPreparationFor", "ceterms:occupationType", "ceterms:accreditedBy", "ceterms:keyword"}

    owners = [o for o in _list(node.get("ceterms:ownedBy")) + _list(node.get("ceterms:offeredBy")) if isinstance(o, dict)]
    if owners:
        draft.provider = _organisation(owners[0])
    used |= {"ceterms:ownedBy", "ceterms:offeredBy"}
    for key, value in node.items():
        if key not in used:
            draft.skip(key, value)
    if node.get("@id") and not match:
        draft.skip("@id", node["@id"], "the record's id is its file name")
    return draft


def _target(align: Any) -> str:
    if isinstance(align, dict):
        target = align.get("ceterms:targetNode") or align.get("@id") or ""
        return str(target.get("@id", "") if isinstance(target, dict) else target)
    return str(align or "")


def _ids(values: Any, draft: Draft, key: str) -> list[str]:
    out = []
    for value in _list(values):
        ident = concept_id(value) if isinstance(value, dict) else value
        match = _PAGE_ID.search(str(ident or ""))
        if match:
            out.append(f"{match.group(1)}/{match.group(2)}")
        else:
            draft.skip(key, value, "not a credential of a credcat catalog")
    return out


def _organisation(org: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    name = concept_label({"name": org.get("ceterms:name")}) if org.get("ceterms:name") else None
    if name:
        out["name"] = name
    url = https_url(org.get("ceterms:subjectWebpage"))
    if url:
        out["url"] = url
    for place in _list(org.get("ceterms:address")):
        if isinstance(place, dict):
            country = country_from(concept_label({"name": place.get("ceterms:addressCountry")}) or "")
            if country:
                out["country"] = country
                break
    return out
