"""`credcat import`: real records in CTDL, OB3, ELM and CSV become catalog YAML that validates, with every
unmapped field kept as a comment; our own exports import back without losing the core fields."""
from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.catalog import read_catalog
from generator.cli import main
from generator.config import Config
from generator.exports import ctdl_credential, ob3_achievement
from generator.validate import CatalogReader
from test_feeds import AS_OF, catalog_files

FIXTURES = Path(__file__).parent / "fixtures" / "standards"
OB3 = FIXTURES / "ob3-microcredential.mynextid.json"
ELM = FIXTURES / "elm-edc-microcredential.mynextid.json"
FLAT = FIXTURES / "flat-input-fields.mynextid.json"


def run(*args: str):
    result = CliRunner().invoke(main, ["import", *args])
    return result


def imported(root: Path, provider: str = "acme") -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((root / provider / "credentials").glob("*.yml"))}


def assert_valid(root: Path) -> None:
    reader = CatalogReader(root, AS_OF)
    creds = list(reader.credentials())
    assert creds and [p.text() for p in reader.problems.errors] == []


@pytest.mark.parametrize("fmt, path", [("ob3", OB3), ("elm", ELM), ("elm", FLAT)], ids=["ob3", "elm-edc", "elm-flat"])
def test_each_fixture_imports_and_validates(catalog_dir, fmt, path):
    root = catalog_dir()
    result = run(fmt, str(path), "--provider", "acme", "--catalog", str(root))
    assert result.exit_code == 0, result.output
    assert "they validate" in result.output
    [text] = imported(root).values()
    assert text.startswith("# Imported by `credcat import")
    assert "# not imported: " in text
    assert_valid(root)


def test_ob3_fixture_quirks(catalog_dir):
    root = catalog_dir()
    run("ob3", str(OB3), "--provider", "acme", "--catalog", str(root))
    [text] = imported(root).values()
    record = yaml.safe_load(text)
    assert record["title"] == "Data Science Fundamentals" and record["type"] == "micro-credential"
    assert record["workload"] == {"ects": 5}
    assert "# workload: creditsAvailable 5 is read as ECTS credits" in text
    # comma-joined fieldOfStudy and specialization become separate tags
    assert {"Computer Science", "Statistics", "Machine Learning", "Data Visualization"} <= set(record["tags"])
    assert record["skills"] == ["Develop test procedures", "Analyse test data"]
    assert "skills[0].uri (Develop test procedures): http://data.europa.eu/esco/skill/f10142ce" in text
    for field in ("humanCode: DS-101-2024", "criteria.narrative: Complete all coursework", "awardedDate:"):
        assert f"# not imported: {field}" in text or f"# not imported: credentialSubject.achievement.{field}" in text
    assert record["url"] == "https://www.netis.si"  # no page in the source: the issuer's home page, with a note
    assert "# url: the source names no web page" in text


def test_elm_fixture_quirks(catalog_dir):
    root = catalog_dir()
    run("elm", str(ELM), "--provider", "acme", "--catalog", str(root))
    [text] = imported(root).values()
    record = yaml.safe_load(text)
    # creditPoint "5" (a string) is 5 ECTS; PT45H is 45 hours; the EQF level URI is level 6
    assert record["workload"] == {"hours": 45, "ects": 5} and record["level"] == {"eqf": 6}
    # the same text under "de" and "en" is one text; the language comes from the ELM language concept
    assert record["title"] == "Title of the Qualification" and record["languages"] == ["en"]
    assert record["learning_outcomes"] == ["Example of learning outcome", "Example of learning second outcome"]
    assert record["assessment"] == {"type": ["exam", "assignment"], "supervision": "supervised", "id_verified": True}
    assert record["participation"] == "online"
    assert "# not imported: credentialSubject.hasClaim.specifiedBy.nqfLevel: MECU Level 7" in text
    assert "(binary data" in text or "characters)" in text  # the embedded images are named, not copied
    assert len(text) < 20_000


def test_flat_form_reads_numbers_as_text_and_iso_hours(catalog_dir):
    root = catalog_dir()
    run("elm", str(FLAT), "--provider", "acme", "--catalog", str(root))
    record = yaml.safe_load(next(iter(imported(root).values())))
    assert record["workload"] == {"ects": 5, "hours": 60} and record["type"] == "micro-credential"


def test_p60m_is_never_read_as_hours(catalog_dir, tmp_path):
    source = json.loads(FLAT.read_text())
    source["hoursOfLearning"] = "P60M"
    path = tmp_path / "months.json"
    path.write_text(json.dumps(source))
    root = catalog_dir()
    assert run("elm", str(path), "--provider", "acme", "--catalog", str(root)).exit_code == 0
    text = next(iter(imported(root).values()))
    assert yaml.safe_load(text)["workload"] == {"ects": 5}
    assert "# not imported: hoursOfLearning: P60M (an ISO 8601 duration of 60 months, not 60 hours" in text


def test_personal_data_of_the_recipient_is_never_copied(catalog_dir):
    root = catalog_dir()
    for fmt, path in (("ob3", OB3), ("elm", ELM), ("elm", FLAT)):
        run(fmt, str(path), "--provider", "acme", "--catalog", str(root))
    text = "\n".join(imported(root).values())
    for secret in ("John Doe", "Joe Doe", "12345", "recipient@example.com", "ba91252f3fdc7162"):
        assert secret not in text
    assert "(about the recipient; value not copied)" in text


def target_catalog(tmp_path: Path) -> Path:
    from conftest import PROVIDER, TAXONOMY

    root = tmp_path / "target"
    (root / "taxonomy").mkdir(parents=True)
    (root / "taxonomy/skills.yml").write_text(TAXONOMY)
    (root / "acme").mkdir()
    (root / "acme/provider.yml").write_text(PROVIDER)
    return root


@pytest.mark.parametrize("fmt, export", [("ob3", ob3_achievement), ("ctdl", ctdl_credential)])
def test_round_trip_keeps_title_description_url_skills_workload_and_level(catalog_dir, tmp_path, fmt, export):
    source = read_catalog(catalog_dir(catalog_files()), AS_OF)
    exports = tmp_path / "exports"
    exports.mkdir()
    for cred in source.credentials:
        (exports / f"{cred.slug}.json").write_text(json.dumps(export(cred, Config())))
    root = target_catalog(tmp_path)
    result = run(fmt, *sorted(str(p) for p in exports.iterdir()), "--provider", "acme", "--catalog", str(root))
    assert result.exit_code == 0, result.output
    back = read_catalog(root, AS_OF)
    assert len(back.credentials) == len(source.credentials)
    for cred in source.credentials:
        copy = back.by_id[f"acme/{cred.slug}"]
        if fmt == "ctdl":
            assert copy.title == cred.title and copy.languages == cred.languages and copy.type == cred.type or \
                cred.type == "learning-program"
        assert copy.name == cred.name
        assert copy.description_text[0][1] == cred.description_text[0][1]
        assert copy.url == cred.url
        assert [(s.id, s.label) for s in copy.skills] == [(s.id, s.label) for s in cred.skills]
        assert copy.workload == cred.workload and copy.level == cred.level


def test_round_trip_through_ctdl_keeps_the_rest_too(catalog_dir, tmp_path):
    source = read_catalog(catalog_dir(catalog_files()), AS_OF)
    cred = source.by_id["acme/data-analysis"]
    path = tmp_path / "one.json"
    path.write_text(json.dumps(ctdl_credential(cred, Config())))
    root = target_catalog(tmp_path)
    (root / "acme/credentials").mkdir()
    (root / "acme/credentials/sql-basics.yml").write_text(textwrap.dedent(catalog_files()["acme/credentials/sql-basics.yml"])
                                                         .replace("stackability: {part_of: [acme/data-analysis]}\n", ""))
    assert run("ctdl", str(path), "--provider", "acme", "--catalog", str(root)).exit_code == 0
    copy = read_catalog(root, AS_OF).by_id["acme/data-analysis"]
    for field in ("learning_outcomes", "duration", "participation", "cost", "prerequisites", "leads_to",
                  "occupations", "tags", "quality_assurance", "status"):
        assert getattr(copy, field) == getattr(cred, field), field
    assert copy.assessment.types == cred.assessment.types


def test_csv_import_with_documented_header(catalog_dir, tmp_path):
    path = tmp_path / "records.csv"
    path.write_text(
        "slug,title,title@de,type,description,url,languages,skills,learning_outcomes,workload,level,cost,tags,"
        "quality_assurance,assessment,colour\n"
        'sql-now,SQL Now,SQL jetzt,course,"Learn SQL.\\nQuery real data.",https://acme.example/sql,"en, de",'
        '"sql, python","Write a join; Explain an index",40 hours,EQF 4,USD 49,"data, sql",'
        '"external: Example Agency https://qa.example","exam, project",blue\n'
        ",,,,,,,,,,,,,,,\n"
        "team,Team Work,,badge,Work in teams.,https://acme.example/team,en,teamwork,,{\"hours\": 3},beginner,free,,,,\n")
    root = catalog_dir()
    result = run("csv", str(path), "--provider", "acme", "--catalog", str(root))
    assert result.exit_code == 0, result.output
    records = {k: yaml.safe_load(v) for k, v in imported(root).items()}
    assert set(records) == {"sql-now", "team"}
    sql = records["sql-now"]
    assert sql["title"] == {"en": "SQL Now", "de": "SQL jetzt"} and sql["languages"] == ["en", "de"]
    assert sql["skills"] == ["sql", "python"] and sql["learning_outcomes"] == ["Write a join", "Explain an index"]
    assert sql["quality_assurance"] == [{"type": "external", "body": "Example Agency", "url": "https://qa.example"}]
    assert "# not imported: colour: blue (not a column credcat knows)" in imported(root)["sql-now"]
    catalog = read_catalog(root, AS_OF)
    assert catalog.by_id["acme/sql-now"].description_text[0][1] == "Learn SQL.\nQuery real data."
    assert catalog.by_id["acme/sql-now"].workload.hours == 40


def test_a_ctdl_graph_with_language_maps_beside_plain_strings(catalog_dir, tmp_path):
    graph = {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": [
        {"@id": "https://example.org/org", "@type": "ceterms:CredentialOrganization", "ceterms:name": "Org"},
        {"@id": "https://example.org/c/1", "@type": "ceterms:DigitalBadge", "ceterms:ctid": "ce-1",
         "ceterms:name": {"en-US": "Safety Basics", "es": "Seguridad básica"},
         "ceterms:description": "Workplace safety in one afternoon.",
         "ceterms:subjectWebpage": "https://example.org/safety", "ceterms:inLanguage": ["English", "es"],
         "ceterms:keyword": {"en-US": ["safety", "work"]},
         "ceterms:estimatedDuration": [{"ceterms:timeRequired": "P60M"}],
         "ceterms:audienceLevelType": [{"ceterms:targetNode": "audLevel:BeginnerLevel"}],
         "https://purl.org/ctdl/terms/dateEffective": "2020-01-01"}]}
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(graph))
    root = catalog_dir()
    result = run("ctdl", str(path), "--provider", "acme", "--catalog", str(root))
    assert result.exit_code == 0, result.output
    text = imported(root)["safety-basics"]
    record = yaml.safe_load(text)
    assert record["title"] == {"en-US": "Safety Basics", "es": "Seguridad básica"} and record["type"] == "badge"
    assert record["languages"] == ["en", "es"] and record["tags"] == ["safety", "work"] and record["level"] == {"audience": "beginner"}
    assert "workload" not in record and "P60M (an ISO 8601 duration of 60 months" in text
    assert "# not imported: ceterms:dateEffective: 2020-01-01" in text and "# not imported: ceterms:ctid: ce-1" in text
    assert_valid(root)


def test_problems_are_reported_not_raised(catalog_dir, tmp_path):
    root = catalog_dir()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = run("ob3", str(bad), "--provider", "acme", "--catalog", str(root))
    assert result.exit_code == 1 and "not valid JSON" in result.output
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": "world"}))
    result = run("ctdl", str(other), "--provider", "acme", "--catalog", str(root))
    assert result.exit_code == 1 and "no CTDL JSON-LD (Credential Engine) credential found" in result.output
    untitled = tmp_path / "untitled.json"
    untitled.write_text(json.dumps({"type": ["Achievement"], "description": "x"}))
    result = run("ob3", str(untitled), "--provider", "acme", "--catalog", str(root))
    assert result.exit_code == 1 and "has no title" in result.output
    result = run("ob3", str(OB3), "--provider", "Not A Slug", "--catalog", str(root))
    assert result.exit_code == 2
    result = run("ob3", str(OB3), "--provider", "newcomer", "--catalog", str(root))
    assert result.exit_code == 1 and "newcomer/provider.yml does not exist" in result.output


def test_provider_yml_is_written_when_the_source_says_enough(catalog_dir):
    root = catalog_dir()
    result = run("elm", str(ELM), "--provider", "netis", "--catalog", str(root))
    assert result.exit_code == 0, result.output
    provider = yaml.safe_load((root / "netis/provider.yml").read_text())
    assert provider == {"name": "NETIS d.o.o.", "url": "https://www.netis.si", "country": "SI"}
    assert_valid(root)


def test_existing_records_get_a_new_slug_unless_forced_and_dry_run_writes_nothing(catalog_dir):
    root = catalog_dir()
    for _ in range(2):
        assert run("elm", str(FLAT), "--provider", "acme", "--catalog", str(root)).exit_code == 0
    assert set(imported(root)) == {"title-of-the-qualification", "title-of-the-qualification-2"}
    assert run("elm", str(FLAT), "--provider", "acme", "--catalog", str(root), "--force").exit_code == 0
    assert len(imported(root)) == 2
    shutil.rmtree(root / "acme/credentials")
    result = run("elm", str(FLAT), "--provider", "acme", "--catalog", str(root), "--dry-run")
    assert result.exit_code == 0 and "title: \"Title of the Qualification\"" in result.output
    assert not (root / "acme/credentials").exists()
