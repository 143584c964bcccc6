"""The loader: hostile and broken YAML gives one clear, located problem, fast and in bounded memory."""
from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from generator.load import MAX_FILE_BYTES, LoadError, load_mapping, parse_yaml


def fails(tmp_path: Path, content: str | bytes, name: str = "x.yml"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_mapping(path, name)
    return info.value.problem


def test_marks_every_key_and_item():
    doc = parse_yaml("title: A\nskills:\n  - python\n  - {label: SQL}\n", "x.yml")
    assert doc.data == {"title": "A", "skills": ["python", {"label": "SQL"}]}
    assert doc.where(("title",)) == (1, 8)
    assert doc.where(("title",), key=True) == (1, 1)
    assert doc.where(("skills", 0)) == (3, 5)
    assert doc.where(("skills", 1, "label")) == (4, 13)
    assert doc.where(("skills", 7)) == (3, 3)  # an unknown item falls back to its parent key


def test_broken_syntax(tmp_path):
    p = fails(tmp_path, "title: A\ndescription: [unclosed\nurl: https://x\n")
    assert p.path == "x.yml" and p.line == 3 and p.severity == "error"
    assert p.message.startswith("invalid YAML")
    assert p.hint


def test_unquoted_colon_gets_quote_hint(tmp_path):
    p = fails(tmp_path, "title: Data: an intro: part 2\n")
    assert (p.line, p.column) == (1, 12)
    assert "must be quoted" in p.hint


def test_tabs(tmp_path):
    p = fails(tmp_path, "title: A\nskills:\n\t- python\n")
    assert (p.line, p.message) == (3, "a tab character is used for indentation")
    assert "spaces" in p.hint


def test_list_instead_of_mapping(tmp_path):
    p = fails(tmp_path, "- title: A\n- title: B\n")
    assert (p.line, p.column) == (1, 1)
    assert p.message == "expected a mapping of fields (key: value), got a list"


def test_non_utf8(tmp_path):
    p = fails(tmp_path, b"title: A\ndescription: caf\xe9 latte\n")
    assert (p.line, p.column) == (2, 17)
    assert p.message.startswith("the file is not valid UTF-8")
    assert "UTF-8" in p.hint


def test_utf16_is_named(tmp_path):
    p = fails(tmp_path, "title: A\n".encode("utf-16"))
    assert p.message == "the file is UTF-16, not UTF-8"


def test_bom_is_fine(tmp_path):
    path = tmp_path / "x.yml"
    path.write_bytes(b"\xef\xbb\xbftitle: A\n")
    assert load_mapping(path, "x.yml").data == {"title": "A"}


def test_duplicate_keys(tmp_path):
    p = fails(tmp_path, "title: A\ntype: badge\ntitle: B\n")
    assert (p.line, p.column) == (3, 1)
    assert p.message == "duplicate key 'title' (first given on line 1)"


def test_python_tags_are_refused(tmp_path):
    p = fails(tmp_path, "title: !!python/object/apply:os.system ['echo pwned']\n")
    assert p.line == 1
    assert p.message == "the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"


def test_custom_tags_are_refused(tmp_path):
    p = fails(tmp_path, "title: !secret A\n")
    assert "is not allowed" in p.message


def test_alias_bomb_fails_fast_in_bounded_memory(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    p = fails(tmp_path, "\n".join(lines) + "\n")
    assert time.perf_counter() - start < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KiB: under ~100 MB
    assert "alias bomb" in p.message


def test_recursive_alias(tmp_path):
    p = fails(tmp_path, "a: &x [*x]\n")
    assert p.severity == "error" and p.line >= 1


def test_huge_file_refused_before_parsing(tmp_path):
    path = tmp_path / "big.yml"
    with path.open("w") as fh:
        fh.write("description: |\n")
        chunk = "  " + "x" * 1000 + "\n"
        for _ in range(53 * 1024):
            fh.write(chunk)
    assert path.stat().st_size > 50 * 1024 * 1024
    start = time.perf_counter()
    with pytest.raises(LoadError) as info:
        load_mapping(path, "big.yml")
    assert time.perf_counter() - start < 1
    assert info.value.problem.message.startswith("the file is 5")
    assert f"at most {MAX_FILE_BYTES:,} bytes" in info.value.problem.message


def test_empty_file(tmp_path):
    assert fails(tmp_path, "").message == "the file is empty"


def test_two_documents(tmp_path):
    p = fails(tmp_path, "title: A\n---\ntitle: B\n")
    assert p.message == "the file holds more than one YAML document"


def test_norway_problem_keeps_text():
    doc = parse_yaml("country: NO\nflag: yes\nok: true\n", "x.yml")
    assert doc.data == {"country": "NO", "flag": "yes", "ok": True}


def test_dates_stay_text():
    assert parse_yaml("d: 2026-02-30\n", "x.yml").data == {"d": "2026-02-30"}


def test_merge_keys_refused(tmp_path):
    p = fails(tmp_path, "base: &b {type: badge}\n<<: *b\n")
    assert p.message == "merge keys ('<<') are not supported"
