"""Forked worker processes, and handing freed memory back: what keeps a parallel build's memory bounded.

A forked worker starts out sharing every page of the build process's memory. But CPython writes
a reference count into each object it reads, so every page of records a worker reads is copied
into it, and a worker that lives through a whole stage ends up holding its own copy of most of
the catalog: with two workers, three copies in all. `pool` replaces each worker after a few
tasks (a few thousand records' worth); the copies it made go with it, and the next worker,
forked afresh, starts out sharing again. With `release_free_memory`, this took a 100,000-record build's peak from 2,257 to
1,007 MB (`bench/run`, docs/performance.md), with no more CPU than before.

`release_free_memory` returns to the system what the C allocator keeps after a stage frees its
temporary data: reading a catalog leaves hundreds of megabytes of it (855 -> 540 MB at 100,000).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
from functools import lru_cache
from multiprocessing.pool import Pool


def can_fork() -> bool:
    """Whether this platform can start workers by fork (they inherit the catalog instead of being sent it)."""
    return "fork" in multiprocessing.get_all_start_methods()


def pool(jobs: int, per_worker: int) -> Pool:
    """`jobs` forked workers, each replaced after `per_worker` tasks.

    Fewer tasks a worker bound memory tighter (a worker copies only the pages its own tasks read,
    however large the catalog) and cost more forks and cold per-process caches: stages whose
    workers warm large caches give each worker more tasks.
    """
    return multiprocessing.get_context("fork").Pool(jobs, maxtasksperchild=max(1, per_worker))


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
