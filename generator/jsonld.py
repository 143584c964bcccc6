"""schema.org JSON-LD for credential pages (Course + EducationalOccupationalCredential) and provider pages (Organization).

Builders return plain dicts (the feeds reuse them for exports); `script_json` turns one into text
that is safe inside `<script type="application/ld+json">`: `<`, `>` and `&` are written as
\\u003c, \\u003e, \\u0026, so no provider string can close the script element.
"""
from __future__ import annotations

import json

from .config import Config
from .model import Credential, Provider

CONTEXT = "https://schema.org"
COURSE_MODE = {"online": "Online", "onsite": "Onsite", "blended": "Blended"}
CREDENTIAL_CATEGORY = {
    "micro-credential": "Micro-credential", "badge": "Badge", "certificate": "Certificate",
    "certification": "Certification", "course": "Course completion", "learning-program": "Learning program",
}


def credential_url(cred: Credential, config: Config) -> str:
    """The absolute URL of a credential's page."""
    return config.url(f"credentials/{cred.id}/")


def provider_url(provider: Provider, config: Config) -> str:
    """The absolute URL of a provider's page."""
    return config.url(f"providers/{provider.id}/")


def organization(provider: Provider, config: Config) -> dict:
    """A provider as a schema.org Organization."""
    org: dict = {
        "@type": "Organization",
        "@id": provider_url(provider, config) + "#organization",
        "name": provider.name,
        "url": provider.url,
        "address": {"@type": "PostalAddress", "addressCountry": provider.country},
    }
    if provider.description_text:
        org["description"] = provider.description_text
    return org


def offers(cred: Credential) -> list[dict]:
    """Each stated price as an Offer (category Free or Paid); one free Offer when the record says free."""
    out = []
    for cost in cred.cost:
        offer = {"@type": "Offer", "category": "Free" if cost.free else "Paid", "price": cost.amount, "url": cred.url}
        if cost.currency:
            offer["priceCurrency"] = cost.currency
        if cost.per in ("month", "year"):
            offer["priceSpecification"] = {"@type": "UnitPriceSpecification", "price": cost.amount,
                                           "priceCurrency": cost.currency, "unitText": cost.per}
        out.append(offer)
    return out


def _level(cred: Credential) -> str | None:
    if not cred.level:
        return None
    if cred.level.eqf is not None:
        return f"EQF level {cred.level.eqf}"
    return cred.level.audience.capitalize() if cred.level.audience else None


def _workload(cred: Credential) -> str | None:
    hours = cred.workload.hours if cred.workload else None
    if hours is None:
        return None
    return f"PT{int(hours)}H" if float(hours).is_integer() else f"PT{hours:g}H"


def credential_graph(cred: Credential, config: Config) -> dict:
    """The Course and the EducationalOccupationalCredential it awards, linked by @id, in one @graph."""
    page = credential_url(cred, config)
    provider = organization(cred.provider, config)
    description = cred.description_text[0][1] if cred.description_text else cred.summary
    languages = list(cred.languages)
    level = _level(cred)
    price = offers(cred)
    skills = [_defined_term(s.label, s.uri) for s in cred.skills]

    course: dict = {
        "@type": "Course", "@id": page + "#course", "name": cred.name, "description": description,
        "url": page, "sameAs": cred.url, "provider": provider,
        "inLanguage": languages[0] if len(languages) == 1 else languages,
        "educationalCredentialAwarded": {"@id": page + "#credential"},
    }
    instance: dict = {"@type": "CourseInstance"}
    if cred.participation:
        instance["courseMode"] = COURSE_MODE.get(cred.participation, cred.participation)
    if workload := _workload(cred):
        instance["courseWorkload"] = workload
    if len(instance) > 1:
        course["hasCourseInstance"] = instance
    if price:
        course["offers"] = price
    if level:
        course["educationalLevel"] = level
    if skills:
        course["teaches"] = skills
    if cred.prerequisites:
        course["coursePrerequisites"] = list(cred.prerequisites)
    if cred.duration:
        course["timeRequired"] = cred.duration.max
    if cred.workload and cred.workload.ects is not None:
        course["numberOfCredits"] = {"@type": "StructuredValue", "value": cred.workload.ects, "unitText": "ECTS"}
    if cred.tags:
        course["keywords"] = ", ".join(cred.tags)

    credential: dict = {
        "@type": "EducationalOccupationalCredential", "@id": page + "#credential", "name": cred.name,
        "description": description, "url": page, "sameAs": cred.url, "provider": {"@id": provider["@id"]},
        "credentialCategory": CREDENTIAL_CATEGORY.get(cred.type, cred.type),
    }
    if price:
        credential["offers"] = price
    if level:
        credential["educationalLevel"] = level
    if skills:
        credential["competencyRequired"] = skills
    recognized = [{"@type": "Organization", "name": q.body, **({"url": q.url} if q.url else {})}
                  for q in cred.quality_assurance if q.type == "external" and q.body]
    if recognized:
        credential["recognizedBy"] = recognized
    if cred.occupations:
        credential["about"] = [{"@type": "Occupation", "occupationalCategory": {
            "@type": "CategoryCode", "codeValue": o.code, "inCodeSet": o.scheme.upper()}} for o in cred.occupations]
    if cred.retired:
        credential["creativeWorkStatus"] = "Retired"
        course["creativeWorkStatus"] = "Retired"
    return {"@context": CONTEXT, "@graph": [course, credential]}


def provider_graph(provider: Provider, config: Config) -> dict:
    """A provider page's Organization."""
    return {"@context": CONTEXT, **organization(provider, config)}


def _defined_term(label: str, uri: str | None) -> dict:
    term: dict = {"@type": "DefinedTerm", "name": label}
    if uri:
        term["url"] = uri
    return term


# One encoder for every page (json.dumps with options makes a new one per call). Graphs are built
# here, never cyclic, so the encoder need not track the containers it is inside.
_SCRIPT_ENCODER = json.JSONEncoder(ensure_ascii=True, sort_keys=True, separators=(",", ":"), check_circular=False)


def script_json(value: object) -> str:
    """Canonical JSON safe inside a <script> element: sorted keys, ASCII only (so U+2028/9 are escaped), `<>&` as \\u003c..."""
    text = _SCRIPT_ENCODER.encode(value)
    # `in` finds a character with memchr; replace scans slower even when there is nothing to replace.
    if "<" in text:
        text = text.replace("<", "\\u003c")
    if ">" in text:
        text = text.replace(">", "\\u003e")
    if "&" in text:
        text = text.replace("&", "\\u0026")
    return text
