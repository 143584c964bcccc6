"""Forked worker processes, and handing freed memory back: what keeps a parallel build's memory bounded.

A forked worker starts out sharing every page of the build process's memory. But CPython writes
a reference count into each object it reads, so every page of records a worker reads is copied
into it, and a worker that lives through a whole stage ends up holding its own copy of most of
the catalog: with two workers, three copies in all. `run` replaces each worker after a few
tasks (a few thousand records' worth); the copies it made go with it, and the next worker,
forked afresh, starts out sharing again. With `release_free_memory`, this took a
100,000-record build's peak from 2,257 MB to between 971 and 1,422 MB in three runs
(`bench/run`, docs/performance.md), with no more CPU.

`release_free_memory` returns to the system what the C allocator keeps after a stage frees its
temporary data: reading a catalog leaves hundreds of megabytes of it (855 -> 540 MB at 100,000).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
from collections import deque
from functools import lru_cache
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    """Whether this platform can start workers by fork (they inherit the catalog instead of being sent it)."""
    return "fork" in multiprocessing.get_all_start_methods()


def run(job: Callable[[T], R], tasks: Sequence[T], jobs: int, per_worker: int | None = None,
        ordered: bool = True) -> Iterator[R]:
    """`job` over `tasks` in `jobs` forked workers, replaced after every `jobs` x `per_worker` tasks (None: never).

    In this process instead when there is one job or one task, or the platform cannot fork.

    Fewer tasks a worker bound memory tighter (a worker copies only the pages its own tasks read,
    however large the catalog) and cost more forks and cold per-process caches: stages whose
    workers warm large caches give each worker more tasks. Results come in task order, with at most
    two a worker waiting to be taken (so memory holds a few results, however many tasks), or as
    they are done when not `ordered`. The last results of a generation come after its workers have
    exited.

    Workers are replaced a generation at a time: a pool of `jobs` fresh workers takes the next
    `jobs` x `per_worker` tasks, and is closed before the next is forked. Within a generation the
    workers share its tasks as they come free, so `per_worker` is each one's share on average. Every fork happens here,
    in the thread that consumes the results, between two of them. multiprocessing's own
    `maxtasksperchild` forks from a helper thread at any moment instead, and a fork taken while
    this thread was inside SQLite (writing results to the cache) gave a worker SQLite's lock held
    for ever: a 750,000-record build hung in its feeds stage that way.
    """
    if jobs <= 1 or len(tasks) <= 1 or not can_fork():
        yield from map(job, tasks)
        return
    size = len(tasks) if per_worker is None else max(1, jobs * per_worker)
    context = multiprocessing.get_context("fork")
    for start in range(0, len(tasks), size):
        batch = tasks[start:start + size]
        workers = min(jobs, len(batch))
        with context.Pool(workers) as pool:
            if ordered:
                waiting: deque = deque()
                for task in batch:
                    if len(waiting) >= 2 * workers:
                        yield waiting.popleft().get()
                    waiting.append(pool.apply_async(job, (task,)))
                last = [result.get() for result in waiting]
            else:
                done = pool.imap_unordered(job, batch, chunksize=1)
                for _ in range(len(batch) - 1):
                    yield next(done)
                last = [next(done)]
        # The generation's last results are handed over once its workers are gone: a caller that
        # takes exactly as many results as it gave tasks, and then moves on (to fork workers of its
        # own, say), never leaves a pool of idle workers alive, holding the pages they copied.
        yield from last


@lru_cache(maxsize=1)
def _trim():
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


def release_free_memory() -> None:
    """Give freed heap memory back to the system (glibc's malloc_trim; nothing elsewhere)."""
    trim = _trim()
    if trim is not None:
        trim(0)
