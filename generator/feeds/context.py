"""The JSON-LD contexts the API publishes: api/v1/context.jsonld and api/v1/ob3-extension.jsonld.

context.jsonld maps every field of our documents to schema.org, CTDL (`ceterms:`) or EU (`elm:`)
terms where one fits, and to the catalog's own vocabulary (`credcat:`) where none does. It also
defines the CTDL prefixes and typed terms the CTDL export uses, so credential documents and CTDL
exports both expand with this one file and nothing fetched from elsewhere.
"""
from __future__ import annotations

from ..exports.vocab import PREFIXES

VOCAB = "https://credcat.example/ns/v1#"
"""Terms with no schema.org, CTDL or EU equivalent. A namespace, not a page to fetch."""

_ID = {"@type": "@id"}


def _lang(term: str) -> dict:
    return {"@id": term, "@container": "@language"}


def api_context() -> dict:
    """The JSON-LD context of credential, provider and skills documents and of the CTDL export."""
    # the same skill terms serve credential documents (what a credential teaches) and skills.json
    skill = {"@id": "schema:teaches", "@context": {
        "id": "schema:identifier", "label": "schema:name", "kind": "credcat:skillKind",
        "uri": {"@id": "schema:sameAs", "@type": "@id"}, "description": "schema:description"}}
    provider = {"@id": "schema:provider", "@context": {
        "id": "schema:identifier", "name": "schema:name", "country": "schema:addressCountry",
        "url": {"@id": "schema:url", "@type": "@id"}}}
    ctx: dict = {
        "@version": 1.1,
        **PREFIXES,
        "credcat": VOCAB,
        # --- credential documents ---
        "id": "schema:identifier",
        "title": _lang("schema:name"),
        "type": "schema:credentialCategory",
        "kind": "credcat:documentKind",
        "description": {"@id": "credcat:description", "@context": {
            "html": _lang("credcat:descriptionHtml"), "text": _lang("schema:description")}},
        "url": {"@id": "ceterms:subjectWebpage", "@type": "@id"},
        "page_url": {"@id": "schema:url", "@type": "@id"},
        "languages": "schema:inLanguage",
        "skills": skill,
        "learning_outcomes": "elm:learningOutcome",
        "workload": {"@id": "credcat:workload", "@context": {
            "hours": {"@id": "credcat:workloadHours", "@type": "xsd:decimal"},
            "ects": {"@id": "credcat:ectsCredits", "@type": "xsd:decimal"}}},
        "duration": {"@id": "ceterms:estimatedDuration", "@context": {
            "min": "ceterms:minimumDuration", "max": "ceterms:maximumDuration"}},
        "level": {"@id": "credcat:level", "@context": {
            "eqf": {"@id": "credcat:eqfLevel", "@type": "xsd:integer"}, "audience": "credcat:audienceLevel"}},
        "participation": "credcat:participation",
        "assessment": {"@id": "credcat:assessment", "@context": {
            "type": "credcat:assessmentType", "supervision": "credcat:supervision",
            "id_verified": {"@id": "credcat:identityVerified", "@type": "xsd:boolean"}}},
        "quality_assurance": {"@id": "credcat:qualityAssurance", "@context": {
            "type": "credcat:qualityAssuranceType", "body": "schema:name", "url": {"@id": "schema:url", "@type": "@id"}}},
        "cost": {"@id": "credcat:cost", "@context": {
            "amount": "schema:price", "currency": "schema:priceCurrency", "per": "credcat:costPer"}},
        "prerequisites": "schema:coursePrerequisites",
        "stackability": {"@id": "credcat:stackability", "@context": {
            "part_of": "credcat:partOf", "leads_to": "credcat:leadsTo",
            "part_of_reverse": "credcat:hasPart", "leads_to_reverse": "credcat:preparedBy"}},
        "occupations": {"@id": "credcat:occupation", "@context": {
            "scheme": "credcat:occupationScheme", "code": "schema:codeValue"}},
        "status": "credcat:status",
        "tags": "schema:keywords",
        "last_verified": {"@id": "credcat:lastVerified", "@type": "xsd:date"},
        "provider": provider,
        "seal": {"@id": "credcat:seal", "@context": {
            "score": {"@id": "credcat:sealScore", "@type": "xsd:integer"},
            "out_of": {"@id": "credcat:sealOutOf", "@type": "xsd:integer"},
            "percent": {"@id": "credcat:sealPercent", "@type": "xsd:integer"},
            "band": "credcat:sealBand", "missing": "credcat:sealMissing",
            "elements": {"@id": "credcat:sealElements", "@type": "@json"}}},
        "content_hash": "credcat:contentHash",
        "links": {"@id": "credcat:links", "@type": "@json"},
        # --- provider documents ---
        "name": "schema:name",
        "country": "schema:addressCountry",
        "maintainers": "credcat:maintainer",
        "counts": {"@id": "credcat:counts", "@type": "@json"},
        # --- skills document ---
        "total": {"@id": "credcat:total", "@type": "xsd:integer"},
        "label": "schema:name",
        "uri": {"@id": "schema:sameAs", "@type": "@id"},
        "synonyms": "schema:alternateName",
        "credentials": {"@id": "credcat:credentialCount", "@type": "xsd:integer"},
        # --- CTDL export: typed CTDL terms (language maps, IRIs) ---
        "ceterms:name": _lang("ceterms:name"),
        "ceterms:description": _lang("ceterms:description"),
        "ceterms:keyword": _lang("ceterms:keyword"),
        "ceterms:condition": _lang("ceterms:condition"),
        "ceterms:targetNodeName": _lang("ceterms:targetNodeName"),
        "ceterms:frameworkName": _lang("ceterms:frameworkName"),
        "ceterms:addressCountry": _lang("ceterms:addressCountry"),
        "ceterms:subjectWebpage": {"@id": "ceterms:subjectWebpage", **_ID},
        "ceterms:costDetails": {"@id": "ceterms:costDetails", **_ID},
        "ceterms:targetNode": {"@id": "ceterms:targetNode", **_ID},
        "ceterms:framework": {"@id": "ceterms:framework", **_ID},
        "ceterms:isPartOf": {"@id": "ceterms:isPartOf", **_ID},
        "ceterms:targetCredential": {"@id": "ceterms:targetCredential", **_ID},
    }
    return {"@context": ctx}


def ob3_extension_context() -> dict:
    """The context OB3 exports add after the OB3 context: only new terms, never a protected OB3 term."""
    return {"@context": {"@version": 1.1, "credcat": VOCAB, "xsd": PREFIXES["xsd"],
                         "workloadHours": {"@id": "credcat:workloadHours", "@type": "xsd:decimal"}}}
