"""Exports in the standards aggregators speak: Open Badges 3.0, CTDL and schema.org JSON-LD."""
from __future__ import annotations

import gzip
import json
import re

import pytest

from generator.catalog import read_catalog
from generator.config import Config
from generator.exports import ctdl_credential, ob3_achievement, schemaorg_credential
from generator.exports.ctdl import ctid
from generator.jsonld import credential_graph
from test_feeds import AS_OF, _offline_loader, build, catalog_files

CONFIG = Config()
URI = re.compile(r"^[a-z][a-z0-9+.-]*:\S+$")
BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# The 1EdTech OB 3.0 AchievementType enumeration (spec B.2.2); "ext:" terms extend it.
OB3_ACHIEVEMENT_TYPES = {
    "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree", "Award", "Badge",
    "BachelorDegree", "Certificate", "CertificateOfCompletion", "Certification", "CommunityService", "Competency",
    "Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork", "GeneralEducationDevelopment",
    "JourneymanCertificate", "LearningProgram", "License", "Membership", "ProfessionalDoctorate",
    "QualityAssuranceCredential", "MasterCertificate", "MasterDegree", "MicroCredential", "ResearchDoctorate",
    "SecondarySchoolDiploma"}


@pytest.fixture(scope="module")
def bundled(repo_root_module):
    return read_catalog(repo_root_module / "catalog", AS_OF)


@pytest.fixture(scope="module")
def repo_root_module():
    from pathlib import Path

    return Path(__file__).resolve().parents[1]


def assert_ob3_achievement(doc: dict) -> None:
    """What the 1EdTech OB 3.0 spec requires of an Achievement and of the classes inside it."""
    assert doc["@context"][:2] == ["https://www.w3.org/ns/credentials/v2",
                                   "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    for key in ("id", "type", "criteria", "description", "name"):  # Achievement: required properties
        assert doc.get(key), key
    assert URI.match(doc["id"]) and "Achievement" in doc["type"]
    assert isinstance(doc["name"], str) and isinstance(doc["description"], str)
    criteria = doc["criteria"]  # Criteria: at least one of id (a URI) or narrative
    assert criteria.get("id") or criteria.get("narrative")
    assert "id" not in criteria or URI.match(criteria["id"])
    assert doc["achievementType"] in OB3_ACHIEVEMENT_TYPES or doc["achievementType"].startswith("ext:")
    creator = doc["creator"]  # Profile: id and type (including "Profile") are required
    assert URI.match(creator["id"]) and "Profile" in creator["type"]
    for alignment in doc.get("alignment", []):  # Alignment: type, targetName, targetUrl required
        assert "Alignment" in alignment["type"] and alignment["targetName"] and URI.match(alignment["targetUrl"])
        assert alignment.get("targetType", "ceasn:Competency") in {
            "ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion",
            "CFRubricCriterionLevel", "CTDL"} or alignment["targetType"].startswith("ext:")
    assert BCP47.match(doc["inLanguage"])
    assert all(isinstance(t, str) for t in doc.get("tag", []))
    assert isinstance(doc.get("creditsAvailable", 0), (int, float))


def test_every_ob3_achievement_carries_what_the_spec_requires(bundled):
    for cred in bundled.credentials:
        assert_ob3_achievement(ob3_achievement(cred, CONFIG))


def test_ob3_achievement_maps_type_skills_level_and_workload(catalog_dir):
    catalog = read_catalog(catalog_dir(catalog_files()), AS_OF)
    doc = ob3_achievement(catalog.by_id["acme/data-analysis"], CONFIG)
    assert doc["achievementType"] == "MicroCredential" and doc["name"] == "Data Analysis with Python"
    assert doc["criteria"]["id"] == "https://acme.example/data-analysis"
    assert "- Clean a data set with pandas" in doc["criteria"]["narrative"]
    names = {a["targetName"]: a for a in doc["alignment"]}
    assert names["Teamwork"]["targetUrl"] == "http://data.europa.eu/esco/skill/teamwork-example"
    assert names["Python"]["targetUrl"] == "https://credcat.example/skills/python/"
    assert names["EQF level 5"]["targetUrl"] == "http://data.europa.eu/snb/eqf/5"
    assert doc["creditsAvailable"] == 2 and doc["workloadHours"] == 40
    assert doc["creator"]["address"]["addressCountryCode"] == "US"


def test_ctdl_export_uses_ctdl_classes_and_properties(catalog_dir):
    catalog = read_catalog(catalog_dir(catalog_files()), AS_OF)
    classes = {c.id: ctdl_credential(c, CONFIG)["@type"] for c in catalog.credentials}
    assert classes == {"acme/data-analysis": "ceterms:MicroCredential", "acme/sql-basics": "ceterms:CertificateOfCompletion",
                       "acme/old-badge": "ceterms:Badge", "acme/team-lead": "ceterms:Certification",
                       "beta/resilience": "ceterms:Certificate"}
    doc = ctdl_credential(catalog.by_id["acme/data-analysis"], CONFIG)
    assert doc["ceterms:ctid"] == ctid("https://credcat.example/credentials/acme/data-analysis/")
    assert re.fullmatch(r"ce-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", doc["ceterms:ctid"])
    assert doc["ceterms:name"] == {"en": "Data Analysis with Python", "de": "Datenanalyse mit Python"}
    assert doc["ceterms:subjectWebpage"] == "https://acme.example/data-analysis"
    assert doc["ceterms:ownedBy"][0]["ceterms:name"] == {"en": "Acme Institute"}
    assert doc["ceterms:estimatedCost"][0]["ceterms:price"] == 49 and doc["ceterms:estimatedCost"][0]["ceterms:currency"] == "USD"
    assert doc["ceterms:estimatedDuration"][0] == {"@type": "ceterms:DurationProfile", "ceterms:exactDuration": "P6W"}
    assert doc["ceterms:estimatedDuration"][1]["ceterms:timeRequired"] == "PT40H"
    assert doc["ceterms:creditValue"][0]["schema:value"] == 2
    assert doc["ceterms:audienceLevelType"][0]["ceterms:targetNode"] == "http://data.europa.eu/snb/eqf/5"
    assert doc["ceterms:learningDeliveryType"][0]["ceterms:targetNode"] == "deliveryType:OnlineOnly"
    assert doc["ceterms:credentialStatusType"]["ceterms:targetNode"] == "credentialStat:Active"
    assert doc["ceterms:isPreparationFor"][0]["ceterms:targetCredential"] == ["https://credcat.example/credentials/acme/sql-basics/"]
    assert doc["ceterms:occupationType"][0]["ceterms:codedNotation"] == "15-2051"
    assert doc["ceterms:accreditedBy"][0]["ceterms:name"] == {"en": "Example Accreditation Agency"}
    retired = ctdl_credential(catalog.by_id["acme/old-badge"], CONFIG)
    assert retired["ceterms:credentialStatusType"]["ceterms:targetNode"] == "credentialStat:Deprecated"
    assert retired["ceterms:audienceLevelType"][0]["ceterms:targetNode"] == "audLevel:AdvancedLevel"


def test_ctdl_export_expands_to_ctdl_iris_with_the_bundled_context(catalog_dir, tmp_path):
    from pyld import jsonld

    out = tmp_path / "site"
    build(catalog_dir(catalog_files()), out)
    load, _ = _offline_loader(out)
    doc = json.loads((out / "api/v1/ctdl/acme/data-analysis.jsonld").read_text())
    [node] = jsonld.expand(doc, {"documentLoader": load})
    ct = "https://purl.org/ctdl/terms/"
    assert node["@type"] == [ct + "MicroCredential"] and node["@id"] == "https://credcat.example/credentials/acme/data-analysis/"
    assert {"@language": "de", "@value": "Datenanalyse mit Python"} in node[ct + "name"]
    assert node[ct + "subjectWebpage"] == [{"@id": "https://acme.example/data-analysis"}]
    level = node[ct + "audienceLevelType"][0]
    assert level[ct + "targetNode"] == [{"@id": "http://data.europa.eu/snb/eqf/5"}]
    delivery = node[ct + "learningDeliveryType"][0][ct + "targetNode"]
    assert delivery == [{"@id": "https://purl.org/ctdl/vocabs/deliveryType/OnlineOnly"}]
    skills = node[ct + "requires"][0][ct + "targetCompetency"]
    assert {v["@value"] for s in skills for v in s[ct + "targetNodeName"]} == {"Python", "SQL", "Teamwork"}


def test_schemaorg_export_is_what_the_page_embeds(catalog_dir, tmp_path):
    catalog = read_catalog(catalog_dir(catalog_files()), AS_OF)
    for cred in catalog.credentials:
        assert schemaorg_credential(cred, CONFIG) == credential_graph(cred, CONFIG)


def test_bulk_exports_hold_one_object_per_credential_in_id_order(catalog_dir, tmp_path):
    out = tmp_path / "site"
    catalog, _, _ = build(catalog_dir(catalog_files()), out)
    ids = [c.id for c in catalog.credentials]
    for fmt, key in (("ctdl", "@id"), ("ob3", "id")):
        with gzip.open(out / f"api/v1/bulk/{fmt}.ndjson.gz", "rt") as fh:
            lines = [json.loads(line) for line in fh]
        assert [line[key] for line in lines] == [f"https://credcat.example/credentials/{i}/" for i in ids]
        for cred_id, line in zip(ids, lines):
            assert line == json.loads((out / f"api/v1/{fmt}/{cred_id}.jsonld").read_text())
