"""bench/edits.py runs end to end on a small catalog: an earlier revision and this checkout, side by side."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


def test_edits_bench_builds_each_round_on_both_sides_and_leaves_no_worktree_or_edit(tmp_path):
    from synth import generated

    done = subprocess.run([sys.executable, str(ROOT / "bench" / "edits.py"), "--base", "HEAD", "--size", "60",
                           "--rounds", "2", "--settle", "0", "--work", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr + done.stdout
    rows = re.findall(r"^\| (\d+) \| (\d+\.\d\d) \| (\d+\.\d\d) \|$", done.stdout, re.M)
    assert [number for number, _, _ in rows] == ["1", "2"] and all(float(a) > 0 and float(b) > 0 for _, a, b in rows)
    median = re.search(r"^\| median \| (\d+\.\d\d) \| (\d+\.\d\d) \|$", done.stdout, re.M)
    ratio = re.search(r"^base / this: (\d+\.\d\d)$", done.stdout, re.M)
    assert median and ratio
    assert abs(float(ratio[1]) - float(median[1]) / float(median[2])) < 0.02
    # both sides built the edit: each site shows the last round's title
    for side in ("edits-base", "edits-this"):
        pages = list((tmp_path / side / "site/credentials").rglob("index.html"))
        assert any("side-by-side benchmark, round 2" in page.read_text(encoding="utf-8") for page in pages), side
    # the worktree is gone and the edited record is as generated
    assert str(tmp_path / "edits-base-tree") not in subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "list"], capture_output=True, text=True).stdout
    fresh = generated(60, tmp_path / "fresh", 1)
    catalog = tmp_path / "catalog-60-1"
    assert {p.relative_to(catalog): p.read_bytes() for p in catalog.rglob("*.yml")} == \
        {p.relative_to(fresh): p.read_bytes() for p in fresh.rglob("*.yml")}


def test_edits_bench_with_clean_times_clean_builds_and_their_stages_and_leaves_one_site_a_side(tmp_path):
    from synth import generated

    done = subprocess.run([sys.executable, str(ROOT / "bench" / "edits.py"), "--base", "HEAD", "--size", "60",
                           "--rounds", "2", "--settle", "0", "--work", str(tmp_path), "--clean"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "`credcat build --clean` of a 60-record catalog" in done.stdout
    rows = re.findall(r"^\| (\d+) \| (\d+\.\d\d) \| (\d+\.\d\d) \|$", done.stdout, re.M)
    assert [number for number, _, _ in rows] == ["1", "2"] and all(float(a) > 0 and float(b) > 0 for _, a, b in rows)
    stages = re.findall(r"^\| (.+), median \| (\d+\.\d\d) \| (\d+\.\d\d) \|$", done.stdout, re.M)
    assert [stage for stage, _, _ in stages] == ["Checking records", "Rendering pages", "Indexing for search",
                                                 "Writing feeds"]
    # each stage's median (from the build's own lines: the bench stops if one is missing) is within the whole's
    median = re.search(r"^\| median \| (\d+\.\d\d) \| (\d+\.\d\d) \|$", done.stdout, re.M)
    assert median and all(float(a) <= float(median[1]) and float(b) <= float(median[2]) for _, a, b in stages)
    # each side keeps only its last site, a whole one; the earlier ones were set aside and deleted
    for side in ("edits-base", "edits-this"):
        assert sorted(p.name for p in (tmp_path / side).iterdir() if p.name.startswith("site")) == ["site-2"]
        assert len(list((tmp_path / side / "site-2/credentials").rglob("index.html"))) == 60
    assert not (tmp_path / "edits-trash").exists()
    fresh = generated(60, tmp_path / "fresh", 1)  # no record was edited
    catalog = tmp_path / "catalog-60-1"
    assert {p.relative_to(catalog): p.read_bytes() for p in catalog.rglob("*.yml")} == \
        {p.relative_to(fresh): p.read_bytes() for p in fresh.rglob("*.yml")}
