"""Running a stage's tasks on every core: in this process and in forked ones, results in task order.

Why not multiprocessing.Pool: a pool's processes do all the work while the one that forked them
waits. The stages that run after the catalog is loaded (render, search, feeds) fork a process
holding every record, and each forked process copies every memory page it touches, if only to
count a reference. With `jobs` pool workers, about one whole copy of the records is made on top of
the parent's. Here the parent takes tasks too, so `jobs` cores need `jobs - 1` forked processes,
and half as much is copied on two cores; the parent's own results are not pickled either.

Tasks and the function are inherited by the fork: only a task's number goes to a worker, and its
result comes back pickled.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import traceback
from collections import deque
from multiprocessing.connection import Connection
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

AHEAD = 2  # tasks sent to a worker before it answers: it never waits for the parent to send the next


class WorkerError(RuntimeError):
    """A task failed in a worker process (the message holds its traceback), or the worker died."""


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def run_tasks(fn: Callable[[T], R], tasks: Sequence[T], jobs: int) -> Iterator[R]:
    """`fn(task)` for each task, yielded in the order of `tasks`, on `jobs` processes (this one included).

    Results wait in memory only until the ones before them are done, and this process takes a new
    task only while few wait, so memory stays bounded however many tasks there are.
    """
    if jobs <= 1 or len(tasks) <= 1 or not can_fork():
        yield from map(fn, tasks)
        return
    context = multiprocessing.get_context("fork")
    # Results come back on one queue: a worker's put returns at once (a thread of the worker sends
    # it), so a worker goes on with its next task while this process is busy with one of its own.
    results = context.Queue()
    workers: list[_Worker] = []
    try:
        for _ in range(min(jobs, len(tasks)) - 1):
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(fn, tasks, theirs, results), daemon=True)
            process.start()
            theirs.close()
            workers.append(_Worker(process, ours))
        yield from _schedule(fn, tasks, workers, results)
    finally:
        _stop(workers)
        results.close()
        results.join_thread()


class _Worker:
    """A forked process, the pipe its task numbers go down, and the numbers it has not answered yet."""

    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection):
        self.process = process
        self.conn = conn
        self.sent: deque[int] = deque()


def _schedule(fn: Callable[[T], R], tasks: Sequence[T], workers: list[_Worker], results) -> Iterator[R]:
    total = len(tasks)
    by_pid = {worker.process.pid: worker for worker in workers}
    done: dict[int, R] = {}
    following = 0  # the next task to hand out
    emitted = 0  # the next result to yield
    limit = 2 * len(workers) * AHEAD + 2  # results waiting for an earlier one, past which this process stops taking tasks

    def hand_out(worker: _Worker) -> None:
        nonlocal following
        while len(worker.sent) < AHEAD and following < total:
            worker.conn.send(following)
            worker.sent.append(following)
            following += 1

    def take(message: tuple) -> None:
        pid, number, ok, value = message
        if not ok:
            raise WorkerError(f"a worker process failed:\n{value}")
        worker = by_pid[pid]
        worker.sent.remove(number)
        done[number] = value
        hand_out(worker)

    def wait_for_one() -> None:
        while True:
            try:
                take(results.get(timeout=1.0))
                return
            except queue.Empty:
                for worker in workers:
                    if worker.sent and not worker.process.is_alive():
                        raise WorkerError(f"a worker process stopped (exit code {worker.process.exitcode})") from None

    for worker in workers:
        hand_out(worker)
    while emitted < total:
        while True:  # whatever the workers have finished meanwhile
            try:
                take(results.get_nowait())
            except queue.Empty:
                break
        while emitted in done:
            yield done.pop(emitted)
            emitted += 1
        if emitted >= total:
            break
        if following < total and len(done) < limit:
            number = following
            following += 1
            done[number] = fn(tasks[number])
        elif emitted not in done:
            wait_for_one()


def _serve(fn: Callable, tasks: Sequence, conn: Connection, results) -> None:
    """A worker: run the tasks whose numbers arrive, put each result on `results`; stop at None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the parent, which stops the workers
    pid = os.getpid()
    while True:
        try:
            number = conn.recv()
        except (EOFError, OSError):
            return
        if number is None:
            return
        try:
            results.put((pid, number, True, fn(tasks[number])))
        except BaseException:
            results.put((pid, number, False, traceback.format_exc()))
            return


def _stop(workers: list[_Worker]) -> None:
    """Let idle workers end; stop at once those still busy (a task failed, or the results are not wanted)."""
    for worker in workers:
        if worker.sent:
            worker.process.terminate()
        else:
            try:
                worker.conn.send(None)
            except OSError:
                pass
    for worker in workers:
        worker.process.join(5)
        if worker.process.is_alive():
            worker.process.terminate()
            worker.process.join()
        worker.conn.close()
