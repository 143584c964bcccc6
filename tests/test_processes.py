"""processes.py: forked workers replaced as a stage goes, and freed memory handed back."""
from __future__ import annotations

import os
import signal
import sqlite3
import sys

import pytest

from generator import processes


def _pid(n: int) -> tuple[int, int]:
    return n, os.getpid()


FORKS = pytest.mark.skipif(not processes.can_fork(), reason="workers are forked only where the platform can fork")


@FORKS
def test_run_replaces_its_workers_after_each_generation_of_tasks() -> None:
    # 2 workers, 1 task each a generation: tasks 0-1, 2-3, 4-5 and 6-7 each go to a fresh pair (of
    # which either may take both tasks, whichever is free first); no worker serves two generations.
    done = list(processes.run(_pid, range(8), 2, per_worker=1))
    assert [n for n, _ in done] == list(range(8))  # in task order
    generations = [{pid for _, pid in done[i:i + 2]} for i in range(0, 8, 2)]
    assert all(a.isdisjoint(b) for i, a in enumerate(generations) for b in generations[i + 1:]), generations
    assert os.getpid() not in set().union(*generations)


def _ended(n: int) -> tuple[int, float]:
    import time

    if n == 0:
        time.sleep(1.5)
    return n, time.monotonic()


@FORKS
def test_in_order_the_other_workers_go_on_while_the_first_task_runs_long() -> None:
    """Tasks are given out WAITING_PER_WORKER a worker ahead of the one waited for, and no further."""
    ahead = processes.WAITING_PER_WORKER * 2
    done = list(processes.run(_ended, range(ahead + 6), 2))
    assert [n for n, _ in done] == list(range(ahead + 6))
    first_end = done[0][1]
    before = [n for n, end in done[1:] if end < first_end]
    assert before == list(range(1, ahead))  # the other worker took every task given out, and only those


@FORKS
def test_run_without_a_limit_keeps_its_workers_for_every_task() -> None:
    done = list(processes.run(_pid, range(8), 2))
    assert [n for n, _ in done] == list(range(8)) and len({pid for _, pid in done}) <= 2
    unordered = list(processes.run(_pid, range(8), 2, per_worker=2, ordered=False))
    assert sorted(n for n, _ in unordered) == list(range(8)) and len({pid for _, pid in unordered}) <= 8


@FORKS
@pytest.mark.parametrize("ordered", [True, False])
def test_no_worker_is_left_once_the_last_result_is_taken(ordered: bool) -> None:
    # The search stage takes exactly one result per task with next() and then forks workers of its
    # own: the first pool's workers stayed alive, idle, beside them until the generator was
    # collected, holding the pages they had copied and any the build process freed after the fork.
    import multiprocessing

    made = processes.run(_pid, range(6), 2, per_worker=2, ordered=ordered)
    taken = [next(made) for _ in range(6)]
    assert sorted(n for n, _ in taken) == list(range(6))
    assert multiprocessing.active_children() == []
    assert next(made, None) is None


def _opens_sqlite(path: str) -> int:
    with sqlite3.connect(path, timeout=5) as db:
        return db.execute("SELECT count(*) FROM t").fetchone()[0]


@FORKS
def test_workers_are_forked_between_results_never_while_the_caller_is_inside_sqlite(tmp_path) -> None:
    # multiprocessing's maxtasksperchild forks from a helper thread at any moment; a fork taken while
    # the build wrote results to SQLite left the worker with SQLite's lock held, and it hung in
    # connect(). Here the caller writes to SQLite between every result while workers are replaced
    # after each task and open a database themselves: every task must finish.
    path = str(tmp_path / "store.sqlite")
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer: only a held lock can stop them
        db.execute("CREATE TABLE t (v BLOB)")
    writer = sqlite3.connect(path)
    seen = []

    def hung(*_):
        raise TimeoutError("a worker hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)  # with multiprocessing's own worker replacement (maxtasksperchild) this often hung
    try:
        for count in processes.run(_opens_sqlite, [path] * 100, 2, per_worker=1):
            with writer:
                writer.executemany("INSERT INTO t VALUES (?)", [(bytes(1000),)] * 2000)
            seen.append(count)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        writer.close()
    assert len(seen) == 100 and seen == sorted(seen)


def _resident_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _free_then_release(_: int) -> tuple[float, float]:
    # 200 MB of 4 KB blocks from the C heap, every 50th kept: freeing the rest leaves holes the
    # allocator keeps (the kept blocks pin the heap's top), until release_free_memory hands them back.
    blocks = [bytes(4096) for _ in range(50_000)]
    kept = blocks[::50]
    del blocks
    before = _resident_mb()
    processes.release_free_memory()
    after = _resident_mb()
    assert kept
    return before, after


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's; elsewhere it does nothing")
def test_release_free_memory_hands_freed_heap_back_to_the_system() -> None:
    # In a fresh worker, so the test process's own heap does not blur the figures.
    [(before, after)] = processes.run(_free_then_release, [0], 1)
    assert before - after > 100, (before, after)


@FORKS
def test_background_gives_the_bytes_its_forked_job_made() -> None:
    job = processes.Background(lambda: str(os.getpid()).encode() * 100_000)  # more than a pipe's buffer
    found = job.result()
    assert found is not None and len(found) > 1 << 16
    assert int(found[:len(found) // 100_000]) != os.getpid()  # made in another process
    assert job.result() is None  # given once; the child is reaped


@FORKS
def test_background_gives_none_when_its_job_fails_and_close_stops_a_job_still_running() -> None:
    def fails() -> bytes:
        raise ValueError("no")

    assert processes.Background(fails).result() is None
    import time

    slow = processes.Background(lambda: time.sleep(60) or b"late")
    pid = slow.pid
    started = time.monotonic()
    slow.close()
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # already reaped
    assert slow.result() is None


@FORKS
def test_background_runs_nothing_while_another_thread_runs_and_close_is_safe_after_result() -> None:
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        job = processes.Background(lambda: b"never")
    finally:
        stop.set()
        other.join()
    assert job.pid == 0 and job.result() is None  # a fork would copy this thread alone, and any lock the other held
    done = processes.Background(lambda: b"done")
    assert done.result() == b"done"
    done.close()
    done.close()  # nothing left to stop, no descriptor closed twice


def test_made_frozen_collects_nothing_within_and_freezes_what_it_made() -> None:
    import gc

    was = gc.isenabled()
    gc.enable()
    try:
        with processes.frozen():  # as in a build, which hands everything back at its end
            before = gc.get_freeze_count()
            with processes.made_frozen():
                assert not gc.isenabled()
                made = [[i] for i in range(1000)]
            assert gc.isenabled()  # as it was before the block
            assert gc.get_freeze_count() >= before + len(made)
            gc.disable()
            with processes.made_frozen():
                pass
            assert not gc.isenabled()  # left as it was found: off
            gc.enable()
        assert gc.get_freeze_count() == 0
    finally:
        (gc.enable if was else gc.disable)()
