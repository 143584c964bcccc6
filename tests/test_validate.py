"""One test per validation rule: the exact message, the line and column, and a hint that teaches."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.validate import CatalogReader

AS_OF = "2026-11-29"
BASE = """\
title: Data Analysis with Python
type: certificate
description: Learn to clean data.
url: https://acme.example/x
languages: [en]
"""


def check(catalog_dir, files: dict[str, str | bytes | None], only_errors: bool = False):
    root = catalog_dir(files)
    reader = CatalogReader(root, AS_OF)
    creds = list(reader.credentials())
    problems = reader.problems.sorted()
    if only_errors:
        problems = [p for p in problems if p.severity == "error"]
    return creds, problems


def one(catalog_dir, record: str, name: str = "acme/credentials/x.yml"):
    creds, problems = check(catalog_dir, {name: record})
    assert len(problems) == 1, [p.text() for p in problems]
    return problems[0]


def test_valid_record_passes(catalog_dir):
    creds, problems = check(catalog_dir, {"acme/credentials/x.yml": BASE})
    assert problems == []
    assert [c.id for c in creds] == ["acme/x"]


def test_missing_required_field(catalog_dir):
    p = one(catalog_dir, BASE.replace("type: certificate\n", ""))
    assert (p.line, p.column, p.severity) == (1, 1, "error")
    assert p.message == "missing required field 'type'"
    assert p.hint == "add 'type: certificate'"
    assert p.record == "acme/x" and p.path.endswith("acme/credentials/x.yml")


def test_empty_required_field(catalog_dir):
    p = one(catalog_dir, BASE.replace("type: certificate", "type:"))
    assert (p.line, p.message) == (2, "the required field 'type' is empty")


def test_unknown_field_did_you_mean(catalog_dir):
    p = one(catalog_dir, BASE + "titel: Typo\n")
    assert (p.line, p.column) == (6, 1)
    assert p.message == "unknown field 'titel'"
    assert p.hint.startswith("did you mean 'title'?")
    assert p.field == "titel"


def test_unknown_field_without_near_match_lists_fields(catalog_dir):
    p = one(catalog_dir, BASE + "zzzz: 1\n")
    assert p.message == "unknown field 'zzzz'"
    assert p.hint.startswith("allowed fields: title, type, description")


def test_wrong_type(catalog_dir):
    p = one(catalog_dir, BASE.replace("title: Data Analysis with Python", "title: [a, b]"))
    assert (p.line, p.column) == (1, 8)
    assert p.message == ("expected text or a mapping of language codes to text, e.g. {en: ..., de: ...}, got a list")


def test_number_where_text_expected(catalog_dir):
    p = one(catalog_dir, BASE + "tags: [python, 3]\n")
    assert (p.line, p.column) == (6, 16)
    assert p.message == "expected text, got a number (3)"
    assert p.hint == 'put the value in quotes to make it text: "3"'


def test_bad_enum(catalog_dir):
    p = one(catalog_dir, BASE.replace("type: certificate", "type: Certificate"))
    assert (p.line, p.column) == (2, 7)
    assert p.message == ("expected one of micro-credential, badge, certificate, certification, course, "
                         "learning-program, got 'Certificate'")
    assert p.hint == "did you mean 'certificate'?"


def test_level_expert(catalog_dir):
    p = one(catalog_dir, BASE + "level: expert\n")
    assert (p.line, p.column) == (6, 8)
    assert p.message == "expected one of beginner, intermediate, advanced or {eqf: 1-8}, got 'expert'"


def test_eqf_out_of_range(catalog_dir):
    p = one(catalog_dir, BASE + "level: {eqf: 9}\n")
    assert (p.line, p.field) == (6, "level.eqf")
    assert p.message == "expected a number from 1 to 8, got a number (9)"


@pytest.mark.parametrize("record,field,shown", [
    ("cost: {amount: .nan, currency: USD}\n", "cost.amount", "nan"),
    ("workload: {hours: .inf}\n", "workload.hours", "inf"),
    ("workload: {ects: -.inf}\n", "workload.ects", "-inf"),
])
def test_not_a_number_and_infinity_are_refused(catalog_dir, record, field, shown):
    # YAML spells them .nan and .inf; JSON has no such numbers, so no document may hold one
    p = one(catalog_dir, BASE + record)
    assert (p.line, p.field, p.severity) == (6, field, "error")
    assert p.message.startswith("expected a number from ") and p.message.endswith(f"got a number ({shown})")


@pytest.mark.parametrize("url,hint", [
    ("http://acme.example/x", "use the https:// address; plain http is not accepted"),
    ("javascript:alert(1)", "'javascript:' links are not allowed; give the https:// address of a web page"),
    ("file:///etc/passwd", "'file:' links are not allowed; give the https:// address of a web page"),
    ("acme.example/x", "write the full address starting with https://"),
])
def test_https_only(catalog_dir, url, hint):
    p = one(catalog_dir, BASE.replace("url: https://acme.example/x", f"url: '{url}'"))
    assert (p.line, p.column) == (4, 6)
    assert p.message == f"expected an https:// URL, got '{url}'"
    assert p.hint == hint


def test_https_required_in_nested_urls(catalog_dir):
    p = one(catalog_dir, BASE + "quality_assurance:\n  - type: external\n    url: http://qa.example\n")
    assert (p.line, p.field) == (8, "quality_assurance.0.url")


def test_impossible_date(catalog_dir):
    p = one(catalog_dir, BASE + "last_verified: 2026-02-30\n")
    assert (p.line, p.column) == (6, 16)
    assert p.message == "'2026-02-30' is not a real date"


def test_badly_formatted_date(catalog_dir):
    p = one(catalog_dir, BASE + "last_verified: 30/01/2026\n")
    assert p.message == "expected a date as YYYY-MM-DD, got '30/01/2026'"
    assert p.hint == "for example: 2026-03-01"


def test_future_date_is_a_warning(catalog_dir):
    p = one(catalog_dir, BASE + "last_verified: 2027-01-01\n")
    assert p.severity == "warning"
    assert p.message == "the date 2027-01-01 is in the future (after 2026-11-29)"


def test_unsafe_slug(catalog_dir):
    creds, problems = check(catalog_dir, {"acme/credentials/Data Science!.yml": BASE})
    assert creds == []
    assert len(problems) == 1
    assert problems[0].message == "the file name 'Data Science!.yml' is not a safe slug"
    assert problems[0].hint == "rename it to lowercase letters, digits and hyphens, e.g. 'data-science.yml'"


def test_unsafe_provider_folder(catalog_dir):
    _, problems = check(catalog_dir, {"Acme_Corp/provider.yml": "name: A\nurl: https://a.example\ncountry: US\n"})
    assert [p.message for p in problems] == ["provider folder name 'Acme_Corp' is not a safe id"]


def test_duplicate_ids(catalog_dir):
    creds, problems = check(catalog_dir, {"acme/credentials/x.yml": BASE, "acme/credentials/x.yaml": BASE})
    assert [c.id for c in creds] == ["acme/x"]
    assert [p.message for p in problems] == ["duplicate id 'acme/x': also defined by x.yaml"]


def test_provider_folder_without_provider_yml(catalog_dir):
    creds, problems = check(catalog_dir, {"acme/provider.yml": None, "acme/credentials/x.yml": BASE})
    assert creds == []
    assert [p.message for p in problems] == ["the provider folder 'acme' has no provider.yml"]
    assert problems[0].hint == "add provider.yml with name, url and country (see CONTRIBUTING.md)"


def test_dangling_stackability_link(catalog_dir):
    creds, problems = check(catalog_dir, {
        "acme/credentials/x.yml": BASE + "stackability:\n  leads_to: [acme/y, acme/missing]\n",
        "acme/credentials/y.yml": BASE,
    })
    assert len(problems) == 1
    p = problems[0]
    assert (p.line, p.column, p.field) == (7, 22, "stackability.leads_to")
    assert p.message == "'acme/missing' is not a credential in this catalog"


def test_bare_slug_link_means_same_provider(catalog_dir):
    creds, problems = check(catalog_dir, {
        "acme/credentials/x.yml": BASE + "stackability: {part_of: [y]}\n",
        "acme/credentials/y.yml": BASE,
    })
    assert problems == []
    assert creds[0].part_of == ("acme/y",)


def test_self_link(catalog_dir):
    _, problems = check(catalog_dir, {"acme/credentials/x.yml": BASE + "stackability: {part_of: [acme/x]}\n"})
    assert [p.message for p in problems] == ["the credential lists itself in part_of"]


def test_unknown_skill_is_a_warning_with_nearest(catalog_dir):
    creds, problems = check(catalog_dir, {"acme/credentials/x.yml": BASE + "skills: [python, teamwrok]\n"})
    assert len(creds) == 1
    assert len(problems) == 1
    p = problems[0]
    assert (p.severity, p.line, p.column) == ("warning", 6, 18)
    assert p.message == "unknown skill 'teamwrok'"
    assert p.hint.startswith("nearest taxonomy skills: Teamwork")
    assert creds[0].skills[1].label == "teamwrok" and creds[0].skills[1].id is None  # kept, not dropped


def test_all_problems_in_one_run(catalog_dir):
    record = """\
titel: X
type: expert
description: ok
url: http://x.example
languages: [Qwertyish]
workload: 40
level: expert
cost: "$49"
last_verified: 2026-13-01
"""
    _, problems = check(catalog_dir, {"acme/credentials/x.yml": record, "acme/credentials/y.yml": "- a\n"})
    lines = [(p.path.rsplit("/", 1)[-1], p.line, p.field) for p in problems]
    assert lines == [
        ("x.yml", 1, ""), ("x.yml", 1, "titel"), ("x.yml", 2, "type"), ("x.yml", 4, "url"),
        ("x.yml", 5, "languages.0"), ("x.yml", 6, "workload"), ("x.yml", 7, "level"),
        ("x.yml", 9, "last_verified"), ("y.yml", 1, ""),
    ]


def test_provider_rules(catalog_dir):
    _, problems = check(catalog_dir, {"acme/provider.yml": "name: Acme\nurl: ftp://acme\ncountry: Atlantis\nowner: me\n"})
    messages = [(p.line, p.message) for p in problems]
    assert messages == [
        (2, "expected an https:// URL, got 'ftp://acme'"),
        (4, "unknown field 'owner'"),
    ]
    _, problems = check(catalog_dir, {"acme/provider.yml": "name: Acme\nurl: https://acme.example\ncountry: Atlantis\n"})
    assert [(p.line, p.message) for p in problems] == [(3, "'Atlantis' is not a country this catalog knows")]


def test_missing_taxonomy(catalog_dir):
    _, problems = check(catalog_dir, {"taxonomy/skills.yml": None})
    assert [p.message for p in problems] == ["the catalog has no taxonomy/skills.yml"]


def test_taxonomy_name_claimed_twice(catalog_dir):
    tax = "skills:\n  - {id: a, label: Alpha, kind: power}\n  - {id: b, label: Beta, kind: power, synonyms: [alpha]}\n"
    _, problems = check(catalog_dir, {"taxonomy/skills.yml": tax})
    assert [(p.line, p.message) for p in problems] == [(3, "'alpha' already names the skill 'a'")]


def test_stray_file_in_provider_folder(catalog_dir):
    _, problems = check(catalog_dir, {"acme/notes.txt": "hi"})
    assert [p.message for p in problems] == ["unexpected file 'notes.txt' in a provider folder"]


def test_broken_file_does_not_stop_others(catalog_dir):
    creds, problems = check(catalog_dir, {"acme/credentials/a.yml": "title: [\n", "acme/credentials/b.yml": BASE})
    assert [c.id for c in creds] == ["acme/b"]
    assert len(problems) == 1 and problems[0].record == "acme/a"


def test_only_given_paths_are_checked(catalog_dir):
    root = catalog_dir({"acme/credentials/a.yml": "title: [\n", "acme/credentials/b.yml": BASE})
    reader = CatalogReader(root, AS_OF, only={(root / "acme/credentials/b.yml").resolve()})
    assert [c.id for c in reader.credentials()] == ["acme/b"]
    assert reader.problems.sorted() == []


def test_validation_streams_without_keeping_records(catalog_dir, tmp_path: Path):
    files = {f"acme/credentials/c{i}.yml": BASE.replace("Python", f"Python {i}") for i in range(50)}
    root = catalog_dir(files)
    reader = CatalogReader(root, AS_OF)
    stream = reader.credentials()
    first = next(stream)
    assert first.id == "acme/c0"
    assert reader.stats.credentials == 1  # records are handed on one at a time, not collected first
    assert sum(1 for _ in stream) == 49
