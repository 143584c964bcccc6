"""The search stage with the build cache: after a change, the index equals a clean build's, byte for byte, and keeps most files.

Each test indexes a synthetic catalog of a few hundred records the way `credcat build` runs the
stage with the cache (into a build folder, then `OutputReuse.finish` puts the new files into the
site), makes one change, indexes again, and compares with a clean build and a build without the
cache.
"""
from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path
from typing import Callable

import pytest

from generator.build import swap
from generator.catalog import read_catalog
from generator.config import Config
from generator.outputs import OutputReuse
from generator.search import build as search_build
from generator.search import write_search_index
from generator.search.build import IndexReport

from test_search_support import AS_OF, REPO

N = 400
KEY = b"global key of the build"


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(REPO / "bench"))
    from synth import generate

    root = tmp_path_factory.mktemp("synth") / "catalog"
    generate(N, root, 11)
    return root


def index(catalog_dir: Path, site: Path, cache: Path, clean: bool = False) -> IndexReport:
    """Run the search stage as the build does with its cache, and put the new files into `site`."""
    catalog = read_catalog(catalog_dir, AS_OF)
    staging = site.parent / f".{site.name}.building"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    reuse = OutputReuse(cache, site, staging, clean=clean)
    report = write_search_index(catalog, Config(cache_dir=cache), staging, reuse=reuse, key=KEY)
    reuse.finish(swap)
    reuse.save()
    return report


def assert_incremental_equals_clean(tmp_path: Path, synthetic: Path, change: Callable[[Path], None]) -> IndexReport:
    """Index, change the catalog, index again with the cache; equal to a clean and a plain build. Returns the second report."""
    catalog = tmp_path / "catalog"
    shutil.copytree(synthetic, catalog)
    site, cache = tmp_path / "site", tmp_path / "cache"
    first = index(catalog, site, cache)
    assert first.kept == 0 and first.written == len(first.outputs)
    change(catalog)
    again = index(catalog, site, cache)
    index(catalog, tmp_path / "clean", tmp_path / "clean-cache", clean=True)
    write_search_index(read_catalog(catalog, AS_OF), Config(), tmp_path / "plain")
    assert tree(site / "search") == tree(tmp_path / "clean" / "search") == tree(tmp_path / "plain" / "search")
    assert again.kept + again.written == len(again.outputs) == len(list((site / "search" / "index").rglob("*.gz")))
    return again


def edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    def change(catalog: Path) -> None:
        file = catalog / path
        text = file.read_text(encoding="utf-8")
        assert old in text
        file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return change


def a_record(synthetic: Path, number: int = 0) -> str:
    """A credential file of the synthetic catalog (site-relative to it)."""
    files = sorted(p for p in synthetic.glob("*/credentials/*.yml"))
    return str(files[number].relative_to(synthetic))


def test_editing_one_record_keeps_most_files(tmp_path: Path, synthetic: Path) -> None:
    record = a_record(synthetic, N // 2)
    text = (synthetic / record).read_text(encoding="utf-8")
    old = text.split("description: |\n", 1)[1].split("\n", 1)[0]  # the first line of its description
    report = assert_incremental_equals_clean(tmp_path, synthetic, edit(record, old, old + " Extra practice with data."))
    # The edited record's summary page, the files of the terms it has, the shards, meta: a few percent.
    assert 0 < report.written <= 0.1 * len(report.outputs), (report.written, len(report.outputs))


def test_nothing_changed_writes_nothing(tmp_path: Path, synthetic: Path) -> None:
    report = assert_incremental_equals_clean(tmp_path, synthetic, lambda catalog: None)
    assert report.written == 0 and report.kept == len(report.outputs)


def test_an_edit_that_changes_a_records_facets(tmp_path: Path, synthetic: Path) -> None:
    """A record's row (its facet values and sort keys) is in every posting of it: its terms' files are made again."""
    record = a_record(synthetic, 7)
    text = (synthetic / record).read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("participation:"))
    other = 'participation: "blended"' if "online" in line else 'participation: "online"'
    report = assert_incremental_equals_clean(tmp_path, synthetic, edit(record, line, other))
    assert report.kept > 0


def test_adding_a_record_with_a_new_word(tmp_path: Path, synthetic: Path) -> None:
    """Doc numbers after it shift and the vocabulary grows; the files of big terms keep their names."""
    record = a_record(synthetic, 3)

    def add(catalog: Path) -> None:
        text = (catalog / record).read_text(encoding="utf-8")
        copy = catalog / record.replace(".yml", "-zzyzx.yml")
        copy.write_text(text.replace("description: |\n", "description: |\n  Zzyzx road trips.\n", 1), encoding="utf-8")

    report = assert_incremental_equals_clean(tmp_path, synthetic, add)
    assert report.kept > 0


def test_removing_a_record(tmp_path: Path, synthetic: Path) -> None:
    record = a_record(synthetic, N // 3)
    report = assert_incremental_equals_clean(tmp_path, synthetic, lambda catalog: (catalog / record).unlink())
    assert report.kept > 0  # r files (rows, no doc numbers) and pages before it


def test_relabelling_a_skill(tmp_path: Path, synthetic: Path) -> None:
    """Skill labels from the taxonomy are searchable text and facet labels."""
    taxonomy = (synthetic / "taxonomy/skills.yml").read_text(encoding="utf-8")
    label = next(line.split("label:", 1)[1].split(",")[0].strip() for line in taxonomy.splitlines() if "label:" in line)
    report = assert_incremental_equals_clean(tmp_path, synthetic, edit("taxonomy/skills.yml", f"label: {label}",
                                                                       f"label: {label} Zymurgy"))
    assert report.written > 0


def test_with_worker_processes(tmp_path: Path, synthetic: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both passes forked over workers, which keep files and report them to the parent."""
    monkeypatch.setattr(search_build, "PARALLEL_FROM", 1)
    monkeypatch.setattr(search_build, "PARALLEL_WORK", 1)
    monkeypatch.setattr(search_build, "CHUNK", 32)
    record = a_record(synthetic, 11)
    text = (synthetic / record).read_text(encoding="utf-8")
    old = text.split("description: |\n", 1)[1].split("\n", 1)[0]
    report = assert_incremental_equals_clean(tmp_path, synthetic, edit(record, old, old + " Extra practice."))
    assert 0 < report.written <= 0.1 * len(report.outputs)


def test_the_index_does_not_depend_on_how_the_catalog_is_cut(tmp_path: Path, synthetic: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = read_catalog(synthetic, AS_OF)
    write_search_index(catalog, Config(), tmp_path / "a")
    monkeypatch.setattr(search_build, "CHUNK", 7)
    write_search_index(catalog, Config(), tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_a_file_changed_in_the_site_is_written_again(tmp_path: Path, synthetic: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    index(synthetic, site, cache)
    meta = json.loads(gzip.decompress((site / "search/index/meta.json.gz").read_bytes()))
    shard = site / "search/index/t/0.json.gz"
    tier = next((site / "search/index/p").rglob("*.0.json.gz"))
    shard.write_bytes(b"tampered")
    tier.unlink()
    report = index(synthetic, site, cache)
    assert report.written == 2
    assert json.loads(gzip.decompress(shard.read_bytes()))[0][0] < meta["shards"][0]
    assert json.loads(gzip.decompress(tier.read_bytes()))["d"]


def test_a_damaged_result_store_is_made_again(tmp_path: Path, synthetic: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    index(synthetic, site, cache)
    (cache / "search.sqlite").write_bytes(b"not a database")
    report = index(synthetic, site, cache)
    assert report.written == 0
    index(synthetic, tmp_path / "clean", tmp_path / "clean-cache", clean=True)
    assert tree(site / "search") == tree(tmp_path / "clean" / "search")
