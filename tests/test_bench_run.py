"""bench/run: end to end at a small size, and how it keeps deletions from slowing what it measures."""
from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bench_run():
    loader = importlib.machinery.SourceFileLoader("bench_run", str(ROOT / "bench" / "run"))
    spec = importlib.util.spec_from_loader("bench_run", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_set_aside_trees_are_deleted_at_the_end_and_a_run_first_waits_for_earlier_deletions(tmp_path, monkeypatch):
    run = _bench_run()
    site = tmp_path / "site-5"
    (site / "credentials").mkdir(parents=True)
    (site / "credentials" / "index.html").write_text("x")
    run.set_aside(site, tmp_path)
    run.set_aside(tmp_path / "never-made", tmp_path)  # nothing there: nothing to do
    assert not site.exists()
    kept = list((tmp_path / run.TRASH).iterdir())
    assert len(kept) == 1 and (kept[0] / "credentials" / "index.html").read_text() == "x"  # moved whole, not deleted

    waits: list[float] = []
    monkeypatch.setattr(run.time, "sleep", waits.append)
    run.settle(tmp_path)  # a stopped run's trash is deleted first, then the wait
    assert not (tmp_path / run.TRASH).exists()
    assert waits == [run.SETTLE] and run.SETTLE > 60  # past ext4's 60 s once the deletions are written out


def test_bench_run_prints_every_stage_for_a_small_catalog(tmp_path):
    env = {**os.environ, "CI": "true"}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run"), "--sizes", "300", "--work", str(tmp_path),
                           "--no-references", "--no-write", "--settle", "0"], capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    for stage in ("Checking records", "Rendering pages", "Indexing for search", "Writing feeds", "Writing the sitemap"):
        row = re.search(rf"^\| {stage} \| (\d+\.\d) \| (\d+\.\d) \|", done.stdout, re.M)
        assert row, (stage, done.stdout)
    edit = re.search(r"^\| 300 \| \*\*\d+\.\d\*\* \|.* \| \*\*(\d+\.\d)\*\* \|$", done.stdout, re.M)
    assert edit, done.stdout  # the edited record's rebuild, and the edit undone by the `credcat build` command
    assert 0 < float(edit.group(1)) < 600
    disk = re.search(r"^The kernel's part of each whole build's CPU .*300: (\d+\.\d) s of its (\d+\.\d) s, "
                     r"an empty file made in (\d+) µs of CPU just before\.", done.stdout, re.M)
    assert disk, done.stdout
    assert 0 <= float(disk.group(1)) <= float(disk.group(2)) and int(disk.group(3)) > 0
    assert not (tmp_path / "site-300").exists() and not (tmp_path / "floor-300").exists()
    assert not (tmp_path / ".trash").exists()  # everything set aside is gone once the run is done
    assert (tmp_path / "catalog-300").is_dir()  # the catalog is kept for the next run


def test_nothing_is_deleted_while_builds_are_measured(tmp_path, monkeypatch):
    """Deletions (a stopped run's sites, this run's) come before the wait or after the last measurement, never between."""
    run = _bench_run()
    for name in ("site-40", "cache-40"):  # a stopped run's, set aside and deleted before the wait
        (tmp_path / name).mkdir()
        (tmp_path / name / "file").write_text("x")
    events: list[str] = []
    real_rmtree = run.shutil.rmtree
    monkeypatch.setattr(run.shutil, "rmtree", lambda path, *a, **k: (events.append("delete"), real_rmtree(path, *a, **k)))
    monkeypatch.setattr(run.time, "sleep", lambda seconds: events.append("wait"))

    def child(kind, *args):
        events.append(kind)
        if kind in ("build", "floor"):  # what the real child makes: a site to set aside afterwards
            Path(args[1]).mkdir(parents=True, exist_ok=True)
        return {"wall": 1.0}

    monkeypatch.setattr(run, "child", child)
    monkeypatch.setattr(run, "stage_table", lambda results, floors: "table")
    assert run.main(["--sizes", "40", "--work", str(tmp_path), "--no-references", "--no-write",
                     "--no-incremental"]) == 0
    measured = [i for i, event in enumerate(events) if event in ("build", "parse", "floor")]
    assert measured and "wait" in events and events.index("wait") < measured[0]
    assert "delete" not in events[events.index("wait"):measured[-1]]  # nothing deleted from the wait to the last
    assert events[-1] == "delete" and not (tmp_path / run.TRASH).exists()  # the sites go once all is measured
    assert not (tmp_path / "site-40").exists() and not (tmp_path / "floor-40").exists()



def test_the_peak_sampler_adds_no_thread_to_the_measured_process_and_counts_its_children():
    """A build forks beside itself only while no other thread runs, so bench/run's sampler must not be a thread; it
    must still see the memory of the measured process and of what it forks, and forget it on reset."""
    import threading
    import time

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from procmem import PeakSampler
    finally:
        sys.path.remove(str(ROOT / "bench"))

    sampler = PeakSampler()
    assert threading.active_count() == 1
    sampler.reset()
    quiet = sampler.peak()
    block = bytearray(64 << 20)
    block[::4096] = b"\1" * len(block[::4096])  # touched: resident
    time.sleep(0.3)
    assert sampler.peak() >= quiet + (60 << 20)
    assert sampler.own_peak() >= 60 << 20
    del block
    sampler.reset()
    assert sampler.peak() < quiet + (30 << 20)  # forgotten
    ready_read, ready_write = os.pipe()
    go_read, go_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a child holding memory of its own until told to go
        held = bytearray(64 << 20)
        held[::4096] = b"\1" * len(held[::4096])
        os.write(ready_write, b"!")
        os.read(go_read, 1)
        os._exit(0)
    try:
        assert os.read(ready_read, 1) == b"!"
        time.sleep(0.3)
        assert sampler.peak() >= quiet + (60 << 20)  # the child's memory counts
    finally:
        os.write(go_write, b".")
        os.waitpid(pid, 0)
        for fd in (ready_read, ready_write, go_read, go_write):
            os.close(fd)
        sampler.close()


def test_creation_cost_times_file_making_and_deletes_nothing(tmp_path):
    """The disk probe makes PROBE_FILES empty files and sets them aside whole, to go with the run's trash."""
    run = _bench_run()
    cost = run.creation_cost(tmp_path)
    assert cost > 0
    assert [p.name for p in tmp_path.iterdir()] == [run.TRASH]
    (probe,) = (tmp_path / run.TRASH).iterdir()
    assert probe.name.startswith("probe-") and len(list(probe.iterdir())) == run.PROBE_FILES
