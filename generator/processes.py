"""Forked worker processes, freed memory handed back, the catalog kept from the garbage collector, and one job in
the background: what keeps a parallel build's memory bounded and its time in its own work.

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

`frozen` keeps the catalog out of the garbage collector's walks for a whole build, and
`Background` runs one job (the check of the last site's files, outputs.SiteCheck) in a forked
process beside the build.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import signal
import threading
from collections import deque
from contextlib import contextmanager
from functools import lru_cache
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    """Whether this platform can start workers by fork (they inherit the catalog instead of being sent it)."""
    return "fork" in multiprocessing.get_all_start_methods()


WAITING_PER_WORKER = 8  # `run`, in order: tasks given out per worker ahead of the result the caller waits for


def run(job: Callable[[T], R], tasks: Sequence[T], jobs: int, per_worker: int | None = None,
        ordered: bool = True) -> Iterator[R]:
    """`job` over `tasks` in `jobs` forked workers, replaced after every `jobs` x `per_worker` tasks (None: never).

    In this process instead when there is one job or one task, or the platform cannot fork.

    Fewer tasks a worker bound memory tighter (a worker copies only the pages its own tasks read,
    however large the catalog) and cost more forks and cold per-process caches: stages whose
    workers warm large caches give each worker more tasks. Results come in task order, or as they
    are done when not `ordered`. In order, WAITING_PER_WORKER tasks a worker are given out ahead of
    the one whose result the caller waits for, so memory holds a few results however many tasks
    there are, and while one long task runs the other workers go on through the next ones: the
    feeds stage's chunks run from a few credentials to 4,000, and with two tasks a worker, one
    worker of two sat idle behind a long chunk for 6 to 14 s of a 100,000-record feeds stage
    (against 3 to 8 s with eight, /tmp script). The last results of a generation come after its
    workers have exited: where a generation holds no more tasks than are given out ahead (the
    feeds stage's 16), all of them, so the caller takes them between generations. Taking all but
    the last as they come instead, beside the workers, was no quicker (feeds at 100,000 records:
    29.7, 26.5 and 26.1 s against 21.3, 24.5 and 25.6 s, alternated; /tmp script).

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
                    if len(waiting) >= WAITING_PER_WORKER * workers:
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


_HELD = 0  # how many `frozen` blocks this process is in


@contextmanager
def frozen() -> Iterator[None]:
    """Keep every object alive now, and every one frozen (gc.freeze) within, out of the garbage collector's walks
    until the outermost such block ends; blocks nest (gc.freeze and gc.unfreeze do not).

    The catalog is millions of long-lived objects. Unfrozen, every full collection walks them all
    (about a second each at 100,000 records, and a build triggers many), and a forked worker that
    walks them touches, so copies, the pages it shares with the build process. A build holds the
    catalog frozen from the end of checking to its end; each stage freezes its own long-lived data
    too. When the outermost block ends, everything is handed back to the collector, so a process
    that builds many times (`credcat serve`) frees each build's objects.
    """
    global _HELD
    gc.freeze()
    _HELD += 1
    try:
        yield
    finally:
        _HELD -= 1
        if not _HELD:
            gc.unfreeze()


@contextmanager
def made_frozen() -> Iterator[None]:
    """No collection while the block makes long-lived objects, which are then frozen.

    Records, say, are tens of tracked objects each: collecting while they are made finds nothing
    to free, yet walks them all; and unfrozen, every later collection walks them all again, so
    reading grows quadratic. The same for the last build's related answers (300,000 lists and
    tuples at 100,000 records: read in 0.15-0.16 s so, against 0.28-0.36 s collecting as they
    come, in a process holding the catalog; /tmp script).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def between_stages() -> None:
    """What a stage freed goes back to the system; within a `frozen` block, what it left for the next is frozen too.

    The garbage it left in cycles is collected first, so nothing dead stays frozen to the end of
    the build; with the catalog frozen already, the collection walks only the stage's own leftovers.
    """
    if _HELD:
        gc.collect()
        gc.freeze()
    release_free_memory()


class Background:
    """`job()` (returning bytes) run in a forked process while this one goes on; `result()` waits for its bytes.

    Nothing runs, and `result()` is None, where the platform cannot fork, when the fork fails, and
    when this process runs other threads (`credcat serve`'s server and watcher): a fork copies
    only the forking thread, and a lock another thread held stays held in the child for good. So
    is it when the job fails. Only the process that started it may call `result()` or `close()`;
    workers forked meanwhile inherit the pipe's read end, which is harmless (they never read it,
    and its write end is the child's alone).
    """

    def __init__(self, job: Callable[[], bytes]) -> None:
        self.pid = 0
        self.fd = -1
        if not can_fork() or threading.active_count() > 1:
            return
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child: the job's bytes into the pipe, then out, running no handler of the parent's
            code = 1
            try:
                os.close(read)
                with os.fdopen(write, "wb") as out:
                    out.write(job())
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self.pid, self.fd = pid, read

    def result(self) -> bytes | None:
        """The job's bytes (waiting for them); None if it did not run or failed."""
        if not self.pid:
            return None
        chunks = []
        fd, self.fd = self.fd, -1  # the file object below owns it now, and closes it however the read ends
        with os.fdopen(fd, "rb") as pipe:
            while chunk := pipe.read(1 << 20):
                chunks.append(chunk)
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        return b"".join(chunks) if os.waitstatus_to_exitcode(status) == 0 else None

    def close(self) -> None:
        """Stop the job if it still runs (a build that failed, or was interrupted, before it had the result)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if not self.pid:
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        finally:
            os.waitpid(self.pid, 0)
            self.pid = 0


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
