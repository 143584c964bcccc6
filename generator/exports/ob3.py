"""Open Badges 3.0 (1EdTech) Achievement for one credential: the definition a badge issuer would award.

Carries what the spec requires of an Achievement (id, type, name, description, criteria) and of
its parts (creator Profile: id, type; each Alignment: type, targetName, targetUrl), plus
achievementType from the spec's enumeration, inLanguage, tags and alignments for skills and level.
ECTS credits go in creditsAvailable, as European OB3 profiles do; notional hours have no OB3 term
and travel in the `workloadHours` extension defined by api/v1/ob3-extension.jsonld.
"""
from __future__ import annotations

from typing import Any

from ..config import Config
from ..model import Credential
from ..feeds import paths
from .vocab import AUDIENCE_LABEL, AUDIENCE_LEVEL, OB3_TYPE, PREFIXES, eqf_uri, number

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def _criteria_narrative(cred: Credential) -> str:
    parts = []
    if cred.learning_outcomes:
        parts.append("Learners who earn this credential can:\n\n" + "\n".join(f"- {o}" for o in cred.learning_outcomes))
    if cred.assessment:
        line = "Assessment: " + ", ".join(cred.assessment.types)
        if cred.assessment.supervision:
            line += f" ({cred.assessment.supervision}"
            line += ", identity verified)" if cred.assessment.id_verified else ")"
        parts.append(line + ".")
    if cred.prerequisites:
        parts.append("Prerequisites: " + "; ".join(cred.prerequisites) + ".")
    return "\n\n".join(parts) or "See the provider's page for what earning this credential requires."


def ob3_achievement(cred: Credential, config: Config) -> dict:
    """The credential as an OB3 Achievement (a JSON-LD object)."""
    page = config.url(paths.credential_page_path(cred))
    provider = cred.provider
    doc: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB3_CONTEXT, config.url(paths.OB3_CONTEXT)],
        "id": page,
        "type": ["Achievement"],
        "achievementType": OB3_TYPE[cred.type],
        "name": cred.name,
        "description": cred.description_text[0][1] if cred.description_text else cred.name,
        "criteria": {"id": cred.url, "narrative": _criteria_narrative(cred)},
        "creator": {"id": config.url(paths.provider_page_path(provider.id)), "type": ["Profile"],
                    "name": provider.name, "url": provider.url,
                    "address": {"type": ["Address"], "addressCountryCode": provider.country}},
        "inLanguage": cred.languages[0],
        "otherIdentifier": [{"type": ["IdentifierEntry"], "identifier": cred.id, "identifierType": "systemId"}],
    }
    alignment = [_skill_alignment(s, page, config) for s in cred.skills]
    if cred.level and cred.level.eqf is not None:
        alignment.append({"type": ["Alignment"], "targetName": f"EQF level {cred.level.eqf}",
                          "targetUrl": eqf_uri(cred.level.eqf), "targetType": "ext:EQFLevel",
                          "targetFramework": "European Qualifications Framework", "targetCode": str(cred.level.eqf)})
    if cred.level and cred.level.audience:
        node = AUDIENCE_LEVEL[cred.level.audience]
        prefix, local = node.split(":", 1)
        alignment.append({"type": ["Alignment"], "targetName": AUDIENCE_LABEL[cred.level.audience],
                          "targetUrl": PREFIXES[prefix] + local, "targetType": "CTDL",
                          "targetFramework": "CTDL Audience Level", "targetCode": node})
    if alignment:
        doc["alignment"] = alignment
    if cred.tags:
        doc["tag"] = list(cred.tags)
    if cred.workload and cred.workload.ects is not None:
        doc["creditsAvailable"] = number(cred.workload.ects)
    if cred.workload and cred.workload.hours is not None:
        doc["workloadHours"] = number(cred.workload.hours)
    return doc


def _skill_alignment(skill, page: str, config: Config) -> dict:
    url = skill.uri or (config.url(paths.skill_page_path(skill.id)) if skill.id else page + "#skills")
    out: dict[str, Any] = {"type": ["Alignment"], "targetName": skill.label, "targetUrl": url,
                           "targetType": "ceasn:Competency"}
    if skill.uri and "data.europa.eu/esco" in skill.uri:
        out["targetFramework"] = "ESCO"
    elif skill.id:
        out["targetFramework"] = f"{config.site_name} skills taxonomy"
    if skill.id:
        out["targetCode"] = skill.id
    return out
