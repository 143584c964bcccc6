"""bench/procmem.py: a process's memory as Linux reports it under /proc, for the bench scripts.

`proc_kb` reads one figure of /proc/<pid>/<file> (smaps_rollup: Pss, Rss, Private_Dirty;
status: VmRSS); `PeakSampler` follows the memory of this process and every process it has forked.
"""
from __future__ import annotations

import os
import threading
import time


def proc_kb(field: str, file: str = "smaps_rollup", pid: int | str = "self") -> int:
    """`field` of /proc/<pid>/<file>, in kB; 0 when the process has exited (or the file lacks it)."""
    try:
        with open(f"/proc/{pid}/{file}") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def resident_mb() -> int:
    """This process's resident memory (VmRSS), in MB."""
    return proc_kb("VmRSS", "status") // 1024


class PeakSampler:
    """Samples the memory of this process and its children; `peak()` is the largest seen since `reset()`.

    Memory is the proportional set size (PSS, /proc/<pid>/smaps_rollup) summed over the process
    tree: forked workers share the catalog's pages with the parent, and PSS counts a shared page
    once in total rather than once per process as RSS would. `own_peak()` is this process's own
    largest resident memory (RSS, read from the same file): its PSS falls as workers share its pages.

    Reading smaps_rollup walks the process's page tables in the kernel, so it costs time that
    grows with memory: about 130 ms a process at 750,000 records (4 GB). Sampling every 50 ms, as
    bench/run once did, kept about one of the two cores busy at that size, time charged to the
    build's own CPU. So the pause after each sample is at least
    OVERHEAD_RATIO times as long as the sample took: sampling takes at most 1/20 of one core.
    """

    INTERVAL = 0.05  # seconds between samples while samples are cheap
    OVERHEAD_RATIO = 19

    def __init__(self) -> None:
        self._peak = 0
        self._own = 0
        self._stop = False
        threading.Thread(target=self._run, daemon=True).start()

    @staticmethod
    def _tree() -> list[int]:
        pids, todo = [], [os.getpid()]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                with open(f"/proc/{pid}/task/{pid}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
            except OSError:
                pass
        return pids

    def _sample(self) -> tuple[int, int]:
        """(PSS of the tree, RSS of this process), in bytes; one read of each process's smaps_rollup."""
        total = own = 0
        for pid in self._tree():
            try:
                with open(f"/proc/{pid}/smaps_rollup") as fh:
                    for line in fh:
                        if line.startswith("Rss:") and pid == os.getpid():
                            own = int(line.split()[1]) * 1024
                        elif line.startswith("Pss:"):
                            total += int(line.split()[1]) * 1024
                            break
            except OSError:
                pass
        return total, own

    def _take(self) -> int:
        total, own = self._sample()
        self._own = max(self._own, own)
        return total

    def _run(self) -> None:
        while not self._stop:
            began = time.perf_counter()
            self._peak = max(self._peak, self._take())
            time.sleep(max(self.INTERVAL, self.OVERHEAD_RATIO * (time.perf_counter() - began)))

    def reset(self) -> None:
        self._own = 0
        self._peak = self._take()

    def peak(self) -> int:
        return max(self._peak, self._take())

    def own_peak(self) -> int:
        return max(self._own, self._sample()[1])
