"""generator/workers.py: tasks run in this process and forked ones, results in task order."""
from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from generator.workers import WorkerError, run_tasks

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")


def _square_with_pid(n: int) -> tuple[int, int]:
    time.sleep(0.002 * (n % 3))  # uneven tasks, so results arrive out of order
    return n * n, os.getpid()


def test_results_come_in_task_order_and_both_processes_work():
    found = list(run_tasks(_square_with_pid, list(range(60)), jobs=2))
    assert [value for value, _ in found] == [n * n for n in range(60)]
    pids = {pid for _, pid in found}
    assert os.getpid() in pids  # this process took tasks too
    assert len(pids) == 2


def test_one_job_runs_everything_here():
    found = list(run_tasks(_square_with_pid, list(range(5)), jobs=1))
    assert {pid for _, pid in found} == {os.getpid()}


def test_a_failing_task_in_a_worker_is_reported_with_its_traceback():
    parent = os.getpid()

    def fail_in_worker(n: int) -> int:
        if os.getpid() != parent:
            raise ValueError(f"bad task {n}")
        time.sleep(0.01)
        return n

    with pytest.raises(WorkerError) as caught:
        list(run_tasks(fail_in_worker, list(range(20)), jobs=2))
    assert "ValueError: bad task" in str(caught.value)


def test_a_failing_task_here_raises_its_own_exception():
    parent = os.getpid()

    def fail_here(n: int) -> int:
        if os.getpid() == parent:
            raise KeyError("here")
        return n

    with pytest.raises(KeyError):
        list(run_tasks(fail_here, list(range(20)), jobs=2))


def test_a_worker_that_dies_is_an_error_not_a_hang():
    parent = os.getpid()

    def die_in_worker(n: int) -> int:
        if os.getpid() != parent:
            os._exit(3)
        time.sleep(0.01)
        return n

    started = time.monotonic()
    with pytest.raises(WorkerError, match="exit code 3"):
        list(run_tasks(die_in_worker, list(range(20)), jobs=2))
    assert time.monotonic() - started < 30


def test_workers_are_gone_after_the_results_or_an_early_stop():
    list(run_tasks(_square_with_pid, list(range(10)), jobs=2))
    assert multiprocessing.active_children() == []
    results = run_tasks(_square_with_pid, list(range(100)), jobs=2)
    next(results)
    results.close()  # the consumer stops early: busy workers are stopped too
    assert multiprocessing.active_children() == []
