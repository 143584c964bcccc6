"""The record store: which credential files a build takes from it unread, which it reads, which it checks again.

A file whose stat (size, mtime, ctime, inode) and provider context are those stored is trusted
without being read; any other file is read and hashed, and checked again only when its bytes
changed. Each test reads a small catalog once to fill the store, changes something, reads it again
and looks at which files were read and which checked, and at the records, fingerprints and problems,
which must be those of a reading without the store.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from generator import validate
from generator.cache import RACY_NS, RecordStore, dump_record, load_record, record_references
from generator.validate import CatalogReader

ROOT = Path(__file__).resolve().parents[1]

AS_OF = "2026-11-29"
RECORD = """\
title: Data Analysis with Python
type: certificate
description: Learn to clean data.
url: https://acme.example/x
languages: [en]
skills: [python, sql]
last_verified: 2026-10-01
"""
BROKEN = RECORD.replace("type: certificate", "type: certificat")  # an error, so problems come from the store too


@pytest.fixture
def catalog(catalog_dir) -> Path:
    return catalog_dir({
        "acme/credentials/a.yml": RECORD,
        "acme/credentials/b.yml": RECORD.replace("Python", "R"),
        "acme/credentials/broken.yml": BROKEN,
    })


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds run as if well after the files were written, so their stats are settled (see file_stat)."""
    monkeypatch.setattr(validate, "time", SimpleNamespace(time_ns=lambda: time.time_ns() + 10 * RACY_NS))


class Spy:
    """Which credential files a reading read (to hash them) and which it checked."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.read: list[str] = []
        self.checked: list[str] = []
        read_bytes, check = validate._read_bytes, CatalogReader.check_credential

        def spy_read(file: Path | str) -> bytes:
            path = Path(file)
            if path.parent.name == "credentials":
                self.read.append(path.name)
            return read_bytes(file)

        def spy_check(reader, file, provider, provider_id, raw=None):
            self.checked.append(file.name)
            return check(reader, file, provider, provider_id, raw)

        monkeypatch.setattr(validate, "_read_bytes", spy_read)
        monkeypatch.setattr(CatalogReader, "check_credential", spy_check)

    def reading(self, root: Path, store_dir: Path | None) -> tuple[list, dict, list]:
        """Read the catalog (with a store in `store_dir`, if given): records, fingerprints, problems."""
        self.read.clear()
        self.checked.clear()
        store = RecordStore(store_dir) if store_dir is not None else None
        reader = CatalogReader(root, AS_OF, store=store)
        creds = list(reader.credentials())
        reader.save_cache()
        if store is not None:
            store.close()
        return [(c, c.seal, c.source) for c in creds], reader.fingerprints, reader.problems.sorted()


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    return Spy(monkeypatch)


def assert_same_as_without_store(spy: Spy, root: Path, result: tuple) -> None:
    assert result == spy.reading(root, None)


def test_unchanged_files_are_not_read(tmp_path, catalog, spy, later):
    first = spy.reading(catalog, tmp_path / "cache")
    assert sorted(spy.checked) == ["a.yml", "b.yml", "broken.yml"]
    second = spy.reading(catalog, tmp_path / "cache")
    assert spy.read == [] and spy.checked == []
    assert second == first  # records, fingerprints and problems alike, whether checked or stored
    assert {p.record for p in second[2]} == {"acme/broken"}
    assert_same_as_without_store(spy, catalog, second)


def test_a_file_the_store_has_no_row_for_is_read_by_its_checker_alone(tmp_path, catalog, spy, later):
    """Its key is found where it is checked, from the bytes checked: this process does not read it first."""
    first = spy.reading(catalog, tmp_path / "cache")
    assert spy.read == [] and sorted(spy.checked) == ["a.yml", "b.yml", "broken.yml"]
    (catalog / "acme/credentials/c.yml").write_text(RECORD.replace("Python", "Go"), encoding="utf-8")
    spy.reading(catalog, tmp_path / "cache")
    assert spy.read == [] and spy.checked == ["c.yml"]
    for name in ("a.yml", "c.yml"):  # touched: the stored key, found by the checker, must be the bytes' hash
        os.utime(catalog / "acme/credentials" / name)
    result = spy.reading(catalog, tmp_path / "cache")
    assert sorted(spy.read) == ["a.yml", "c.yml"] and spy.checked == []
    assert [c.id for c, _, _ in result[0]] == [c.id for c, _, _ in first[0]] + ["acme/c"]
    assert_same_as_without_store(spy, catalog, result)


def test_workers_find_the_keys_and_check_a_batch_while_the_last_is_settled(tmp_path, catalog, spy, later,
                                                                             monkeypatch):
    """With forked workers (a file a batch): the same records and store as one process gives."""
    monkeypatch.setattr(validate, "PARALLEL_MIN", 1)
    monkeypatch.setattr(validate, "BATCH", 1)
    begun: list[str] = []  # as the workers are given files, and as this process settles them
    start, settle = CatalogReader._start, CatalogReader._settle

    def spy_start(reader, batch):
        begun.append("start " + Path(batch[0].file).name)
        return start(reader, batch)

    def spy_settle(reader, batch, found, fresh):
        begun.append("settle " + Path(batch[0].file).name)
        return settle(reader, batch, found, fresh)

    monkeypatch.setattr(CatalogReader, "_start", spy_start)
    monkeypatch.setattr(CatalogReader, "_settle", spy_settle)
    store = RecordStore(tmp_path / "cache")
    reader = CatalogReader(catalog, AS_OF, store=store, jobs=2)
    creds = list(reader.credentials())
    reader.save_cache()
    store.close()
    assert begun == ["start a.yml", "start b.yml", "settle a.yml", "start broken.yml", "settle b.yml",
                     "settle broken.yml"]
    assert spy.read == [] and spy.checked == []  # read and checked in the workers only
    assert reader.stats.checked == 3
    for name in ("a.yml", "b.yml", "broken.yml"):  # touched: taken from the store by the keys the workers found
        os.utime(catalog / "acme/credentials" / name)
    result = spy.reading(catalog, tmp_path / "cache")
    assert sorted(spy.read) == ["a.yml", "b.yml", "broken.yml"] and spy.checked == []
    assert [c for c, _, _ in result[0]] == creds
    assert_same_as_without_store(spy, catalog, result)


def test_a_reading_stopped_early_does_not_wait_for_the_checks_under_way(catalog, monkeypatch):
    monkeypatch.setattr(validate, "PARALLEL_MIN", 1)
    monkeypatch.setattr(validate, "BATCH", 1)
    ended: list[bool] = []
    close = CatalogReader._close_pool
    monkeypatch.setattr(CatalogReader, "_close_pool", lambda reader, stopped=False: (ended.append(stopped),
                                                                                     close(reader, stopped)))
    reader = CatalogReader(catalog, AS_OF, jobs=2)
    records = reader.credentials()
    assert next(records).id == "acme/a"
    records.close()
    assert ended == [True] and reader._pool is None
    assert [c.id for c in CatalogReader(catalog, AS_OF, jobs=2).credentials()] == ["acme/a", "acme/b"]
    assert ended == [True, False]


def test_a_file_over_the_size_cap_is_not_read_past_it_and_its_result_is_kept_by_its_size(tmp_path, catalog, spy,
                                                                                          later, monkeypatch):
    big = catalog / "acme/credentials/big.yml"
    big.write_bytes(RECORD.encode() + b"# " + b"x" * (3 << 20) + b"\n")
    reads: list[int] = []  # the bytes asked of each read of big.yml
    big_fds: set[int] = set()
    real_open, real_read = os.open, os.read

    def counting_open(file, flags, *args, **kwargs):
        fd = real_open(file, flags, *args, **kwargs)
        if Path(file).name == "big.yml":
            big_fds.add(fd)
        else:
            big_fds.discard(fd)
        return fd

    def counting_read(fd, size):
        if fd in big_fds:
            reads.append(size)
        return real_read(fd, size)

    monkeypatch.setattr(os, "open", counting_open)
    monkeypatch.setattr(os, "read", counting_read)
    first = spy.reading(catalog, tmp_path / "cache")
    assert reads and all(0 < size <= validate.MAX_FILE_BYTES + 1 for size in reads)
    assert sum(reads) <= validate.MAX_FILE_BYTES + 1  # up to the cap and a byte, no further
    assert "big.yml" in spy.checked
    assert [p.message for p in first[2] if p.path.endswith("big.yml")] == [
        f"the file is {big.stat().st_size:,} bytes; a record may be at most {validate.MAX_FILE_BYTES:,} bytes"]
    os.utime(big)  # touched: read (up to the cap) and found unchanged, not checked again
    assert spy.reading(catalog, tmp_path / "cache") == first and spy.read == ["big.yml"] and spy.checked == []
    with big.open("ab") as grown:  # a new size: a new key, and checked again
        grown.write(b"# more\n")
    again = spy.reading(catalog, tmp_path / "cache")
    assert spy.checked == ["big.yml"] and again != first
    assert_same_as_without_store(spy, catalog, again)


def test_a_file_larger_than_its_stat_said_is_read_whole_up_to_the_cap(tmp_path, monkeypatch):
    """The size fstat gives only sizes the first read: a file that grew since (or a short read) is read on."""
    small, big = tmp_path / "small.yml", tmp_path / "big.yml"
    small.write_bytes(b"x" * (3 * validate.READ_STEP + 5))
    big.write_bytes(b"y" * (validate.MAX_FILE_BYTES + 10))
    real_fstat = os.fstat

    class Stale:
        st_size = 10

    monkeypatch.setattr(os, "fstat", lambda fd: Stale)
    assert validate._read(small) == (small.read_bytes(), small.read_bytes())
    raw, key = validate._read(big)
    assert raw is None and key.startswith(b"too large: ")
    monkeypatch.setattr(os, "fstat", real_fstat)
    assert validate._read(big) == (None, f"too large: {validate.MAX_FILE_BYTES + 10}".encode())
    assert validate._read(tmp_path / "gone.yml")[0] is None


def test_touched_file_is_read_not_checked_and_then_trusted(tmp_path, catalog, spy, later):
    spy.reading(catalog, tmp_path / "cache")
    os.utime(catalog / "acme/credentials/a.yml")  # a new mtime and ctime, the same bytes
    spy.reading(catalog, tmp_path / "cache")
    assert spy.read == ["a.yml"] and spy.checked == []
    spy.reading(catalog, tmp_path / "cache")
    assert spy.read == []  # its new stat was stored


def test_edit_keeping_the_mtime_is_checked(tmp_path, catalog, spy, later):
    spy.reading(catalog, tmp_path / "cache")
    for name, text in (("a.yml", RECORD.replace("Python", "Python and SQL")),  # another size
                       ("b.yml", RECORD.replace("Python", "C"))):  # the same size ("R"): only the ctime tells
        file = catalog / "acme/credentials" / name
        before = file.stat()
        file.write_text(text, encoding="utf-8")
        os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))
        after = file.stat()
        assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)
        assert (after.st_size == before.st_size) == (name == "b.yml")
    result = spy.reading(catalog, tmp_path / "cache")
    assert sorted(spy.checked) == ["a.yml", "b.yml"]
    assert [c.title[0][1] for c, _, _ in result[0]] == ["Data Analysis with Python and SQL", "Data Analysis with C"]
    assert_same_as_without_store(spy, catalog, result)


def test_file_replaced_by_another_is_checked(tmp_path, catalog, spy, later):
    spy.reading(catalog, tmp_path / "cache")
    file = catalog / "acme/credentials/a.yml"
    before = file.stat()
    other = file.with_name(".a.yml.new")
    other.write_text(RECORD.replace("Python", "Pascal"), encoding="utf-8")  # the same size
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, file)
    assert file.stat().st_ino != before.st_ino
    result = spy.reading(catalog, tmp_path / "cache")
    assert spy.checked == ["a.yml"]
    assert result[0][0][0].title == (("en", "Data Analysis with Pascal"),)


def test_provider_change_rechecks_its_files(tmp_path, catalog, spy, later):
    spy.reading(catalog, tmp_path / "cache")
    provider = catalog / "acme/provider.yml"
    provider.write_text(provider.read_text(encoding="utf-8").replace("Acme Institute", "Acme College"),
                        encoding="utf-8")
    result = spy.reading(catalog, tmp_path / "cache")
    assert sorted(spy.checked) == ["a.yml", "b.yml", "broken.yml"]
    assert result[0][0][0].provider.name == "Acme College"
    assert_same_as_without_store(spy, catalog, result)


def test_file_read_right_after_a_change_is_read_again(tmp_path, catalog, spy):
    # Without `later`: the files were written just now, so their stats cannot vouch for their bytes.
    spy.reading(catalog, tmp_path / "cache")
    spy.reading(catalog, tmp_path / "cache")
    assert sorted(spy.read) == ["a.yml", "b.yml", "broken.yml"] and spy.checked == []


def fake_stat(monkeypatch: pytest.MonkeyPatch, file: Path, changed_ns: int) -> None:
    """Make `file`'s stat say it was last changed at `changed_ns`, whatever is written to it after.

    As on a filesystem whose timestamps are coarse: a second write within the same tick, of the
    same size, leaves the stat exactly as it was.
    """
    real_stat = os.stat
    first = real_stat(file)

    def stat(path, *args, **kwargs):
        found = real_stat(path, *args, **kwargs)
        if os.fspath(path) != os.fspath(file):
            return found
        fields = list(found)  # mode, ino, dev, nlink, uid, gid, size, atime, mtime, ctime
        fields[1], fields[6] = first.st_ino, first.st_size
        fields[8] = fields[9] = changed_ns // 10**9
        return os.stat_result(fields, {"st_atime_ns": found.st_atime_ns, "st_mtime_ns": changed_ns,
                                       "st_ctime_ns": changed_ns})

    monkeypatch.setattr(os, "stat", stat)


def test_racy_file_is_read_again(tmp_path, catalog, spy, monkeypatch):
    file = catalog / "acme/credentials/a.yml"
    fake_stat(monkeypatch, file, time.time_ns())  # changed as the build starts
    spy.reading(catalog, tmp_path / "cache")
    file.write_text(RECORD.replace("Python", "Pascal"), encoding="utf-8")  # same tick, same size: same stat
    result = spy.reading(catalog, tmp_path / "cache")
    assert spy.checked == ["a.yml"]
    assert result[0][0][0].title == (("en", "Data Analysis with Pascal"),)


def test_settled_stat_is_trusted(tmp_path, catalog, spy, monkeypatch):
    # The counterpart of the racy case: the same unchanged stat, from well before the build, is trusted.
    file = catalog / "acme/credentials/a.yml"
    fake_stat(monkeypatch, file, time.time_ns() - 10 * RACY_NS)
    spy.reading(catalog, tmp_path / "cache")
    file.write_text(RECORD.replace("Python", "Pascal"), encoding="utf-8")
    spy.reading(catalog, tmp_path / "cache")
    assert "a.yml" not in spy.read and spy.checked == []


def test_store_of_another_format_is_discarded(tmp_path, catalog, spy, later):
    folder = tmp_path / "cache"
    folder.mkdir()
    old = sqlite3.connect(folder / "records.sqlite")
    old.execute("CREATE TABLE records (file TEXT PRIMARY KEY, provider TEXT, key BLOB, payload BLOB)")
    old.execute("INSERT INTO records VALUES ('acme/credentials/a.yml', 'acme', x'00', x'00')")
    old.commit()
    old.close()
    result = spy.reading(catalog, folder)
    assert sorted(spy.checked) == ["a.yml", "b.yml", "broken.yml"]
    assert_same_as_without_store(spy, catalog, result)


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files whose own rows RecordStore.results is asked for."""
    found: list[str] = []
    results = RecordStore.results

    def spy_results(store, files):
        found.extend(Path(file).name for file in files)
        return results(store, files)

    monkeypatch.setattr(RecordStore, "results", spy_results)
    return found


@pytest.fixture
def two_providers(catalog) -> Path:
    """The catalog with a second provider, beta, of one file."""
    (catalog / "beta/credentials").mkdir(parents=True)
    (catalog / "beta/provider.yml").write_text((catalog / "acme/provider.yml").read_text(encoding="utf-8")
                                               .replace("Acme Institute", "Beta College"), encoding="utf-8")
    (catalog / "beta/credentials/c.yml").write_text(RECORD.replace("Python", "Go"), encoding="utf-8")
    return catalog


def _segments(folder: Path) -> dict[str, bytes]:
    with sqlite3.connect(folder / "records.sqlite") as db:
        return dict(db.execute("SELECT segment, payload FROM segments"))


def test_a_segment_is_stored_as_its_provider_s_last_file_is_settled(tmp_path, two_providers, monkeypatch):
    """Stored during the reading, not held for save_cache: at 100,000 records the segments are 270 MB."""
    monkeypatch.setattr(validate, "BATCH", 1)  # a file a batch
    store = RecordStore(tmp_path / "cache")
    reader = CatalogReader(two_providers, AS_OF, store=store)
    records = reader.credentials()
    assert next(records).id == "acme/a"
    assert _segments(tmp_path / "cache") == {}  # acme's other files are not settled yet
    assert [c.id for c in records] == ["acme/b", "beta/c"]
    assert set(_segments(tmp_path / "cache")) == {"acme:0", "beta:0"}  # before save_cache
    store.close()


def test_unchanged_providers_come_from_their_segments(tmp_path, two_providers, spy, fetched, later):
    first = spy.reading(two_providers, tmp_path / "cache")
    assert set(_segments(tmp_path / "cache")) == {"acme:0", "beta:0"}
    fetched.clear()
    second = spy.reading(two_providers, tmp_path / "cache")
    assert spy.read == [] and spy.checked == [] and fetched == []  # no file's own row was fetched
    assert second == first
    assert_same_as_without_store(spy, two_providers, second)


def test_a_changed_file_reads_its_provider_by_rows_and_stores_its_segment_again(tmp_path, two_providers, spy, fetched,
                                                                                 later):
    spy.reading(two_providers, tmp_path / "cache")
    before = _segments(tmp_path / "cache")
    (two_providers / "acme/credentials/a.yml").write_text(RECORD.replace("Python", "Julia"), encoding="utf-8")
    fetched.clear()
    result = spy.reading(two_providers, tmp_path / "cache")
    assert spy.checked == ["a.yml"]
    assert sorted(fetched) == ["b.yml", "broken.yml"]  # acme's other files by their rows; beta by its segment
    after = _segments(tmp_path / "cache")
    assert after["beta:0"] == before["beta:0"] and after["acme:0"] != before["acme:0"]
    assert result[0][0][0].title == (("en", "Data Analysis with Julia"),)
    assert_same_as_without_store(spy, two_providers, result)
    fetched.clear()
    assert spy.reading(two_providers, tmp_path / "cache") == result and fetched == []  # both by segments again


def test_a_provider_s_files_are_segmented_in_runs_and_an_edit_stores_its_run_again(tmp_path, two_providers, spy,
                                                                                   fetched, later, monkeypatch):
    monkeypatch.setattr(validate, "SEGMENT_FILES", 2)  # acme's a.yml and b.yml, then broken.yml
    first = spy.reading(two_providers, tmp_path / "cache")
    before = _segments(tmp_path / "cache")
    assert set(before) == {"acme:0", "acme:1", "beta:0"}
    (two_providers / "acme/credentials/broken.yml").write_text(RECORD.replace("Python", "Julia"), encoding="utf-8")
    fetched.clear()
    result = spy.reading(two_providers, tmp_path / "cache")
    assert spy.checked == ["broken.yml"] and fetched == []  # a.yml and b.yml by their run's segment
    after = _segments(tmp_path / "cache")
    assert (after["acme:0"], after["beta:0"]) == (before["acme:0"], before["beta:0"]) and after["acme:1"] != before["acme:1"]
    assert [c.id for c, _, _ in result[0]] == [c.id for c, _, _ in first[0]][:2] + ["acme/broken"] + ["beta/c"]
    assert_same_as_without_store(spy, two_providers, result)


def test_a_damaged_segment_is_passed_over(tmp_path, two_providers, spy, later):
    first = spy.reading(two_providers, tmp_path / "cache")
    with sqlite3.connect(tmp_path / "cache/records.sqlite") as db:
        db.execute("UPDATE segments SET payload = ? WHERE segment = 'acme:0'", (b"\x80\x05not a pickle",))
    result = spy.reading(two_providers, tmp_path / "cache")
    assert spy.checked == [] and result == first
    assert _segments(tmp_path / "cache")["acme:0"].startswith(b"\x80\x05") and \
        b"not a pickle" not in _segments(tmp_path / "cache")["acme:0"]  # written again from the rows


def test_segments_follow_the_catalog_and_only_whole_readings(tmp_path, two_providers, spy, later):
    spy.reading(two_providers, tmp_path / "cache")
    before = _segments(tmp_path / "cache")
    (two_providers / "acme/credentials/a.yml").write_text(RECORD.replace("Python", "Julia"), encoding="utf-8")
    store = RecordStore(tmp_path / "cache")
    reader = CatalogReader(two_providers, AS_OF, store=store, only={(two_providers / "acme/credentials/a.yml").resolve()})
    assert [c.id for c in reader.credentials()] == ["acme/a"]
    reader.save_cache()
    store.close()
    assert _segments(tmp_path / "cache") == before  # `credcat validate FILE` neither writes nor drops segments
    shutil.rmtree(two_providers / "beta")
    spy.reading(two_providers, tmp_path / "cache")
    assert set(_segments(tmp_path / "cache")) == {"acme:0"}  # a provider gone, its segment too


def test_stored_form_gives_back_the_same_record(catalog):
    reader = CatalogReader(catalog, AS_OF)
    cred = next(c for c in reader.credentials() if c.id == "acme/a")
    payload = dump_record((cred, [], []))
    again, problems, links = load_record(payload, record_references(reader.providers))
    assert again == cred and (again.seal, again.source) == (cred.seal, cred.source)  # fields left out of ==
    assert again.provider is reader.providers["acme"]
    assert dump_record((again, problems, links)) == payload


def test_records_loaded_with_one_set_of_references_share_equal_small_values(catalog):
    """Seals and skills equal in value are one object once loaded (memory); a Workload is not shared."""
    reader = CatalogReader(catalog, AS_OF)
    creds = {c.id: c for c in reader.credentials()}
    a, b = creds["acme/a"], creds["acme/b"]
    assert a.seal is b.seal and a.skills[1] is b.skills[1]  # both state sql and the same elements
    assert a.workload is None or a.workload is not b.workload
    references = record_references(reader.providers)
    first, _, _ = load_record(dump_record((a, [], [])), references)
    second, _, _ = load_record(dump_record((a, [], [])), references)
    assert first == second and first is not second
    assert first.seal is second.seal and first.skills[0] is second.skills[0]
    elsewhere, _, _ = load_record(dump_record((a, [], [])), record_references(reader.providers))
    assert elsewhere.seal == first.seal and elsewhere.seal is not first.seal  # sharing is per set of references


def test_links_and_folders_in_credentials_are_reported(catalog_dir):
    root = catalog_dir({"acme/credentials/a.yml": RECORD})
    (root / "acme/credentials/link.yml").symlink_to(root / "acme/credentials/a.yml")
    (root / "acme/credentials/folder.yml").mkdir()
    reader = CatalogReader(root, AS_OF)
    assert [c.id for c in reader.credentials()] == ["acme/a"]
    assert sorted(p.message for p in reader.problems.items) == ["'folder.yml' is not a .yml record file",
                                                                "'link.yml' is not a .yml record file"]


@pytest.mark.parametrize("where", ["acme/credentials", ".", "elsewhere"])
def test_display_paths_of_a_folder_are_those_of_each_file(catalog, tmp_path, monkeypatch, where):
    # The store names files by display path, made once per folder: it must be display_path's, wherever the build runs.
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / where if where == "elsewhere" else catalog / where)
    reader = CatalogReader(catalog, AS_OF)
    pdir = reader.files.providers[0]
    assert pdir.credential_names
    assert reader._displayed(pdir, pdir.credential_names) == [reader.display(file) for file in pdir.credential_files]


def _rows(path: Path, table: str) -> int:
    with sqlite3.connect(path) as db:  # another connection: sees only what was committed
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_results_are_written_as_they_come_not_held_to_the_end(tmp_path, monkeypatch):
    from generator import cache
    from generator.cache import ResultStore

    monkeypatch.setattr(cache, "FLUSH_BYTES", 1000)
    records = RecordStore(tmp_path)
    for i in range(5):
        records.put(f"acme/credentials/{i}.yml", b"context", b"key%d" % i, None, b"fp", bytes(600))
    # every second result fills the 1,000 bytes: four are in the database before commit, and none is held twice
    assert _rows(records.path, "results") == 4 and len(records._pending) == 1
    records.commit(keep=[f"acme/credentials/{i}.yml" for i in (0, 1, 2, 4)])
    assert _rows(records.path, "results") == 4 and _rows(records.path, "files") == 4
    records.close()

    results = ResultStore(tmp_path, "feeds")
    results.put(b"old", "an earlier build's")
    results.commit()
    results.close()
    results = ResultStore(tmp_path, "feeds")
    for i in range(3):
        results.put(b"new%d" % i, "x" * 2000)
    assert _rows(results.path, "results") == 4  # each new one written at once, the old one not yet forgotten
    results.commit()
    assert _rows(results.path, "results") == 3 and results.get(b"old") is None and results.get(b"new2") == "x" * 2000
    results.close()


def test_store_load_bench_times_both_ways_and_finds_no_record_different(tmp_path):
    """bench/store_load.py: the makers against the classes' __init__, side by side; both make the same records."""
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "store_load.py"), "--size", "150", "--rounds", "1",
                           "--work", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout
    row = [line for line in done.stdout.splitlines() if line.startswith("| 150 |")]
    assert row, done.stdout
    cells = [cell.strip() for cell in row[0].strip("|").split("|")]
    assert cells[-1] == "0"  # records that differ
    assert float(cells[2].removesuffix(" s CPU")) > 0 and float(cells[3].removesuffix(" s CPU")) > 0
