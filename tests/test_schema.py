"""The published JSON Schema and the validator agree: both come from generator/schema.py."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from generator.load import load_mapping, parse_yaml

REPO = Path(__file__).resolve().parents[1]


def validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((REPO / "schemas" / f"{kind}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_every_bundled_record_matches_the_published_schema():
    creds, provs = validator("credential"), validator("provider")
    files = sorted((REPO / "catalog").glob("*/credentials/*.yml"))
    assert len(files) >= 60
    for file in files:
        errors = list(creds.iter_errors(load_mapping(file, str(file)).data))
        assert errors == [], (file, errors[0].message if errors else "")
    for file in sorted((REPO / "catalog").glob("*/provider.yml")):
        assert list(provs.iter_errors(load_mapping(file, str(file)).data)) == []


@pytest.mark.parametrize("snippet", [
    "type: diploma",
    "url: http://x.example",
    "url: 'javascript:alert(1)'",
    "titel: typo",
    "level: {eqf: 9}",
    "skills: [{label: x, uri: 'javascript:x'}]",
    "assessment: {type: [exam], supervision: sometimes}",
    "cost: {amount: 5, currency: usd}",
    "last_verified: 01/02/2026",
    "stackability: {part_of: ['Not An Id']}",
])
def test_schema_rejects_what_the_validator_rejects(snippet):
    base = "title: A\ntype: badge\ndescription: d\nurl: https://a.example\nlanguages: [en]\n"
    lines = dict(line.split(":", 1) for line in base.splitlines())
    key = snippet.split(":", 1)[0]
    lines.pop(key, None)
    record = "".join(f"{k}:{v}\n" for k, v in lines.items()) + snippet + "\n"
    data = parse_yaml(record, "x.yml").data
    assert list(validator("credential").iter_errors(data)), record
