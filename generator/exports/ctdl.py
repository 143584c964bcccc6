"""CTDL (Credential Transparency Description Language) JSON-LD for one credential.

Classes and properties are CTDL's `ceterms:` terms; text is given as language maps, concept
values as CredentialAlignmentObjects naming CTDL concepts (audLevel:, deliveryType:,
credentialStat:) or EU concepts (EQF levels, ECTS). The @context is the catalog's own
api/v1/context.jsonld, which defines the CTDL prefixes, so the export expands without fetching
anything else. `ceterms:ctid` is a name-based UUID of the credential's page URL: stable for life.
"""
from __future__ import annotations

import uuid
from typing import Any

from ..config import Config
from ..model import Credential, Provider
from ..feeds import paths
from .vocab import (AUDIENCE_LABEL, AUDIENCE_LEVEL, CTDL_CLASS, DELIVERY, DELIVERY_LABEL, ECTS_CONCEPT,
                    EQF_SCHEME, ISCO_FRAMEWORK, SOC_FRAMEWORK, STATUS, eqf_uri, hours_duration, number)


def ctid(page_url: str) -> str:
    """A CTDL identifier (ce-<uuid>) derived from a URL, the same on every build."""
    return f"ce-{uuid.uuid5(uuid.NAMESPACE_URL, page_url)}"


def _alignment(node: str | None, name: str, lang: str, framework: str | None = None,
               framework_name: str | None = None, code: str | None = None) -> dict:
    out: dict[str, Any] = {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNodeName": {lang: name}}
    if node:
        out["ceterms:targetNode"] = node
    if framework:
        out["ceterms:framework"] = framework
    if framework_name:
        out["ceterms:frameworkName"] = {lang: framework_name}
    if code:
        out["ceterms:codedNotation"] = code
    return out


def organization(provider: Provider, config: Config, lang: str) -> dict:
    """A provider as a ceterms:CredentialOrganization, embedded so the export stands alone."""
    return {"@type": "ceterms:CredentialOrganization", "@id": config.url(paths.provider_page_path(provider.id)),
            "ceterms:name": {lang: provider.name}, "ceterms:subjectWebpage": provider.url,
            "ceterms:address": [{"@type": "ceterms:Place", "ceterms:addressCountry": {lang: provider.country}}]}


def ctdl_credential(cred: Credential, config: Config) -> dict:
    """The credential as a CTDL credential class (ceterms:MicroCredential, ceterms:Badge, ...)."""
    lang = cred.languages[0]
    page = config.url(paths.credential_page_path(cred))
    doc: dict[str, Any] = {
        "@context": config.url(paths.CONTEXT),
        "@id": page,
        "@type": CTDL_CLASS[cred.type],
        "ceterms:ctid": ctid(page),
        "ceterms:name": dict(cred.title),
        "ceterms:description": dict(cred.description_text),
        "ceterms:subjectWebpage": cred.url,
        "ceterms:inLanguage": list(cred.languages),
        "ceterms:ownedBy": [organization(cred.provider, config, lang)],
        "ceterms:credentialStatusType": _alignment(STATUS[cred.status], cred.status.capitalize(), lang,
                                                   framework_name="CredentialStatus"),
    }
    levels = []
    if cred.level and cred.level.audience:
        levels.append(_alignment(AUDIENCE_LEVEL[cred.level.audience], AUDIENCE_LABEL[cred.level.audience], lang,
                                 framework_name="AudienceLevel"))
    if cred.level and cred.level.eqf is not None:
        levels.append(_alignment(eqf_uri(cred.level.eqf), f"EQF level {cred.level.eqf}", lang, framework=EQF_SCHEME,
                                 framework_name="European Qualifications Framework", code=str(cred.level.eqf)))
    if levels:
        doc["ceterms:audienceLevelType"] = levels
    if cred.participation:
        doc["ceterms:learningDeliveryType"] = [_alignment(DELIVERY[cred.participation], DELIVERY_LABEL[cred.participation],
                                                          lang, framework_name="Delivery")]
    durations = []
    if cred.duration:
        if cred.duration.min == cred.duration.max:
            durations.append({"@type": "ceterms:DurationProfile", "ceterms:exactDuration": cred.duration.min})
        else:
            durations.append({"@type": "ceterms:DurationProfile", "ceterms:minimumDuration": cred.duration.min,
                              "ceterms:maximumDuration": cred.duration.max})
    if cred.workload and cred.workload.hours is not None:
        durations.append({"@type": "ceterms:DurationProfile", "ceterms:timeRequired": hours_duration(cred.workload.hours),
                          "ceterms:description": {lang: "Notional learning hours (workload)."}})
    if durations:
        doc["ceterms:estimatedDuration"] = durations
    if cred.workload and cred.workload.ects is not None:
        doc["ceterms:creditValue"] = [{
            "@type": "ceterms:ValueProfile", "schema:value": number(cred.workload.ects),
            "ceterms:creditUnitType": [_alignment(ECTS_CONCEPT, "ECTS", lang, framework_name="European Credit Transfer and Accumulation System")],
        }]
    if cred.cost:
        doc["ceterms:estimatedCost"] = [_cost(c, cred, lang) for c in cred.cost]
    requires = []
    if cred.skills:
        requires.append({"@type": "ceterms:ConditionProfile", "ceterms:name": {lang: "Skills"},
                         "ceterms:targetCompetency": [_skill(s, lang, config) for s in cred.skills]})
    if cred.learning_outcomes:
        requires.append({"@type": "ceterms:ConditionProfile", "ceterms:name": {lang: "Learning outcomes"},
                         "ceterms:condition": {lang: list(cred.learning_outcomes)}})
    if cred.assessment:
        text = ", ".join(cred.assessment.types)
        if cred.assessment.supervision:
            text += f" ({cred.assessment.supervision})"
        requires.append({"@type": "ceterms:ConditionProfile", "ceterms:name": {lang: "Assessment"},
                         "ceterms:description": {lang: f"Assessment: {text}."}})
    if requires:
        doc["ceterms:requires"] = requires
    if cred.prerequisites:
        doc["ceterms:entryCondition"] = [{"@type": "ceterms:ConditionProfile",
                                          "ceterms:condition": {lang: list(cred.prerequisites)}}]
    if cred.part_of:
        doc["ceterms:isPartOf"] = [config.url(paths.credential_page_path_for(i)) for i in cred.part_of]
    if cred.leads_to:
        doc["ceterms:isPreparationFor"] = [{"@type": "ceterms:ConditionProfile", "ceterms:targetCredential":
                                            [config.url(paths.credential_page_path_for(i)) for i in cred.leads_to]}]
    if cred.occupations:
        doc["ceterms:occupationType"] = [
            _alignment(None, o.code, lang, framework=SOC_FRAMEWORK if o.scheme == "soc" else ISCO_FRAMEWORK,
                       framework_name="Standard Occupational Classification" if o.scheme == "soc" else "ISCO-08",
                       code=o.code) for o in cred.occupations]
    accredited = [{"@type": "ceterms:QACredentialOrganization", "ceterms:name": {lang: q.body},
                   **({"ceterms:subjectWebpage": q.url} if q.url else {})}
                  for q in cred.quality_assurance if q.type == "external" and q.body]
    if accredited:
        doc["ceterms:accreditedBy"] = accredited
    if cred.tags:
        doc["ceterms:keyword"] = {lang: list(cred.tags)}
    return doc


def _skill(skill, lang: str, config: Config) -> dict:
    node = skill.uri or (config.url(paths.skill_page_path(skill.id)) if skill.id else None)
    framework = "ESCO" if skill.uri and "data.europa.eu/esco" in skill.uri else None
    return _alignment(node, skill.label, lang, framework_name=framework, code=skill.id)


def _cost(cost, cred: Credential, lang: str) -> dict:
    if cost.free:
        text = "Free"
    else:
        text = f"{cost.currency} {cost.amount}" + (f" per {cost.per}" if cost.per and cost.per != "once" else "")
    out: dict[str, Any] = {"@type": "ceterms:CostProfile", "ceterms:price": number(cost.amount),
                           "ceterms:costDetails": cred.url, "ceterms:description": {lang: text}}
    if cost.currency:
        out["ceterms:currency"] = cost.currency
    return out
