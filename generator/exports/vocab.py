"""Shared vocabulary for the exports and importers: how our enums map onto CTDL, OB3 and EU terms.

Written once so an export and the importer that reads it back use the same tables.
"""
from __future__ import annotations

CETERMS = "https://purl.org/ctdl/terms/"
CTDL_VOCABS = "https://purl.org/ctdl/vocabs/"
ESCO_PREFIX = "http://data.europa.eu/esco/"
EQF_PREFIX = "http://data.europa.eu/snb/eqf/"
EQF_SCHEME = "http://data.europa.eu/snb/eqf/25831c2"
ECTS_CONCEPT = "http://data.europa.eu/snb/education-credit/6fcec5c5af"  # ELM's ECTS concept
SOC_FRAMEWORK = "https://www.bls.gov/soc/"
ISCO_FRAMEWORK = "https://www.ilo.org/public/english/bureau/stat/isco/isco08/"

# Our credential type -> CTDL credential class. CTDL's course and programme classes are learning
# opportunities, not credentials, so a course completion is a CertificateOfCompletion.
CTDL_CLASS = {
    "micro-credential": "ceterms:MicroCredential",
    "badge": "ceterms:Badge",
    "certificate": "ceterms:Certificate",
    "certification": "ceterms:Certification",
    "course": "ceterms:CertificateOfCompletion",
    "learning-program": "ceterms:Certificate",
}
CTDL_CLASS_IN = {
    "MicroCredential": "micro-credential", "Badge": "badge", "DigitalBadge": "badge", "OpenBadge": "badge",
    "Certificate": "certificate", "ProfessionalCertificate": "certificate", "AcademicCertificate": "certificate",
    "Certification": "certification", "CertificateOfCompletion": "course", "Course": "course",
    "LearningProgram": "learning-program",
}

# Our type -> OB3 achievementType (the 1EdTech enumeration), and back.
OB3_TYPE = {
    "micro-credential": "MicroCredential", "badge": "Badge", "certificate": "Certificate",
    "certification": "Certification", "course": "Course", "learning-program": "LearningProgram",
}
OB3_TYPE_IN = {v: k for k, v in OB3_TYPE.items()} | {"CertificateOfCompletion": "course"}

AUDIENCE_LEVEL = {"beginner": "audLevel:BeginnerLevel", "intermediate": "audLevel:IntermediateLevel",
                  "advanced": "audLevel:AdvancedLevel"}
AUDIENCE_LEVEL_IN = {v.split(":", 1)[1]: k for k, v in AUDIENCE_LEVEL.items()}
AUDIENCE_LABEL = {"beginner": "Beginner Level", "intermediate": "Intermediate Level", "advanced": "Advanced Level"}

DELIVERY = {"online": "deliveryType:OnlineOnly", "onsite": "deliveryType:InPerson", "blended": "deliveryType:BlendedDelivery"}
DELIVERY_IN = {v.split(":", 1)[1]: k for k, v in DELIVERY.items()}
DELIVERY_LABEL = {"online": "Online Only", "onsite": "In Person Only", "blended": "Blended Delivery"}

STATUS = {"active": "credentialStat:Active", "retired": "credentialStat:Deprecated"}
STATUS_IN = {"Active": "active", "Deprecated": "retired", "Suspended": "retired", "Ceased": "retired"}

PREFIXES = {
    "ceterms": CETERMS,
    "audLevel": CTDL_VOCABS + "audLevel/",
    "credentialStat": CTDL_VOCABS + "credentialStat/",
    "deliveryType": CTDL_VOCABS + "deliveryType/",
    "schema": "https://schema.org/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "elm": "http://data.europa.eu/snb/model/elm/",
}


def eqf_uri(level: int) -> str:
    """The EU concept URI of an EQF level."""
    return f"{EQF_PREFIX}{level}"


def eqf_from_uri(uri: str) -> int | None:
    """The EQF level a concept URI names (http://data.europa.eu/snb/eqf/6 -> 6), else None."""
    if uri.startswith(EQF_PREFIX):
        tail = uri[len(EQF_PREFIX):].strip("/")
        if tail.isdigit() and 1 <= int(tail) <= 8:
            return int(tail)
    return None


def number(text: str | float | int) -> int | float:
    """A decimal string or number as a JSON number (whole numbers as ints)."""
    value = float(text)
    return int(value) if value.is_integer() else value


def hours_duration(hours: float) -> str:
    """Hours as an ISO 8601 duration: 40 -> PT40H, 7.5 -> PT7.5H."""
    return f"PT{number(hours)}H"
