"""Canonical JSON (generator/jsontext.py): the standard encoder's bytes, made by orjson, and its fallback."""
from __future__ import annotations

import datetime
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.jsontext import canonical, canonical_bytes

ROOT = Path(__file__).resolve().parents[1]
STANDARD = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))

texts = st.text(st.characters(exclude_categories=("Cs",)))  # any character a YAML file can hold
# floats where both encoders agree (repr and orjson differ below 1e-4: test_floats_... covers every float)
agreeing_floats = st.floats(min_value=1e-4, max_value=1e15) | st.floats(min_value=-1e15, max_value=-1e-4) | st.just(0.0)
scalars = st.none() | st.booleans() | st.integers(-2**63, 2**64 - 1) | agreeing_floats | texts
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5) | st.tuples(inner, inner)
                         | st.dictionaries(texts, inner, max_size=5), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_canonical_text_is_the_standard_encoders(value):
    assert canonical(value) == STANDARD.encode(value)
    assert canonical_bytes(value) == STANDARD.encode(value).encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_are_written_as_the_same_number(number):
    text = canonical({"amount": number, "list": [number]})
    assert json.loads(text) == {"amount": number, "list": [number]}
    if number == 0 or 1e-4 <= abs(number) < 1e16:  # orjson and repr agree here; below, 0.00001 is written for 1e-05
        assert text == STANDARD.encode({"amount": number, "list": [number]})


def test_values_orjson_refuses_are_written_by_the_standard_encoder():
    big = {"count": 2**70, "small": -(2**70)}
    assert canonical(big) == '{"count":1180591620717411303424,"small":-1180591620717411303424}'
    assert canonical({2: "b", 1: "a"}) == STANDARD.encode({2: "b", 1: "a"}) == '{"1":"a","2":"b"}'
    assert canonical_bytes(big) == canonical(big).encode()


def test_markup_strings_are_written_as_strings_keys_included():
    from markupsafe import Markup

    value = {"html": Markup("<b>x</b> & y"), Markup("key"): [Markup("<i>"), ("a", 1)]}
    assert canonical(value) == STANDARD.encode(value) == '{"html":"<b>x</b> & y","key":["<i>",["a",1]]}'


@dataclass
class _Record:
    title: str


@pytest.mark.parametrize("value", [_Record("x"), datetime.date(2026, 11, 30), {"when": datetime.datetime(2026, 1, 1)}])
def test_objects_that_are_not_json_are_refused_as_the_standard_encoder_refuses_them(value):
    with pytest.raises(TypeError):
        canonical(value)
    with pytest.raises(TypeError):
        canonical_bytes(value)


def test_json_text_bench_reports_both_encoders_and_no_difference(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "json_text.py"), "--size", "150", "--rounds", "1",
                           "--work", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout
    row = [line for line in done.stdout.splitlines() if line.startswith("| 7")]  # 150 credentials x 5 values
    assert row, done.stdout
    cells = [cell.strip() for cell in row[0].strip("|").split("|")]
    assert cells[0] == "750" and cells[-1] == "0"
    assert float(cells[1].removesuffix(" s")) > 0 and float(cells[2].removesuffix(" s")) > 0
