"""processes.py: worker pools that replace their workers, and freed memory handed back."""
from __future__ import annotations

import os
import sys

import pytest

from generator import processes


def _pid(n: int) -> tuple[int, int]:
    return n, os.getpid()


@pytest.mark.skipif(not processes.can_fork(), reason="workers are forked only where the platform can fork")
def test_pool_replaces_each_worker_after_its_share_of_the_tasks() -> None:
    # one task a worker: eight tasks, eight processes, none the parent
    with processes.pool(2, 1) as pool:
        done = list(pool.imap(_pid, range(8), chunksize=1))
    assert [n for n, _ in done] == list(range(8))
    pids = {pid for _, pid in done}
    assert len(pids) == 8 and os.getpid() not in pids


@pytest.mark.skipif(not processes.can_fork(), reason="workers are forked only where the platform can fork")
def test_pool_with_room_for_every_task_keeps_its_workers_for_the_whole_stage() -> None:
    with processes.pool(2, 8) as pool:
        done = list(pool.imap(_pid, range(8), chunksize=1))
    assert len({pid for _, pid in done}) <= 2


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
    with processes.pool(1, 1) as pool:
        before, after = pool.apply(_free_then_release, (0,))
    assert before - after > 100, (before, after)
