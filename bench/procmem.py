"""bench/procmem.py: a process's memory as Linux reports it under /proc, for the bench scripts.

`proc_kb` reads one figure of /proc/<pid>/<file> (smaps_rollup: Pss, Rss, Private_Dirty;
status: VmRSS); `PeakSampler` follows the memory of this process and every process it has forked.
"""
from __future__ import annotations

import os
import select
import struct
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

    The samples are taken by a forked process of the sampler's own, not by a thread: a build runs
    jobs in forked processes beside itself (processes.Background: the check of the last site, the
    search and feeds stages after a small change) only while no other thread runs, so a sampling
    thread made the measured build take its other path. The sampling process is left out of the
    sums, and its CPU is not the build's.

    Reading smaps_rollup walks the process's page tables in the kernel, so it costs time that
    grows with memory: about 130 ms a process at 750,000 records (4 GB). Sampling every 50 ms, as
    bench/run once did, kept about one of the two cores busy at that size. So the pause after each
    sample is at least OVERHEAD_RATIO times as long as the sample took: sampling takes at most
    1/20 of one core.
    """

    INTERVAL = 0.05  # seconds between samples while samples are cheap
    OVERHEAD_RATIO = 19
    _ANSWER = struct.Struct("<qq")  # (peak PSS of the tree, peak RSS of the measured process), bytes

    def __init__(self) -> None:
        self._root = os.getpid()
        ask_read, ask_write = os.pipe()
        tell_read, tell_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the sampling process: answers until the measured process is gone
            code = 1
            try:
                os.close(ask_write)
                os.close(tell_read)
                quiet = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):  # holds none of the measured process's pipes open
                    os.dup2(quiet, fd)
                self._serve(ask_read, tell_write)
                code = 0
            finally:
                os._exit(code)
        os.close(ask_read)
        os.close(tell_write)
        self._pid, self._ask, self._tell = pid, ask_write, tell_read

    def _tree(self) -> list[int]:
        pids, todo = [], [self._root]
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
        """(PSS of the tree but the sampling process, RSS of the measured process), in bytes."""
        total = own = 0
        me = os.getpid()
        for pid in self._tree():
            if pid == me:
                continue
            try:
                with open(f"/proc/{pid}/smaps_rollup") as fh:
                    for line in fh:
                        if line.startswith("Rss:") and pid == self._root:
                            own = int(line.split()[1]) * 1024
                        elif line.startswith("Pss:"):
                            total += int(line.split()[1]) * 1024
                            break
            except OSError:
                pass
        return total, own

    def _serve(self, ask: int, tell: int) -> None:
        """In the sampling process: sample, and answer each request: b"r" resets the peaks, b"p" asks for them."""
        peak = own = 0
        wait = 0.0
        while True:
            ready, _, _ = select.select([ask], [], [], wait)
            began = time.perf_counter()
            total, rss = self._sample()
            wait = max(self.INTERVAL, self.OVERHEAD_RATIO * (time.perf_counter() - began))
            if not ready:
                peak, own = max(peak, total), max(own, rss)
                continue
            request = os.read(ask, 1)
            if not request:
                return  # the measured process has closed its end: it is gone
            peak, own = (total, rss) if request == b"r" else (max(peak, total), max(own, rss))
            os.write(tell, self._ANSWER.pack(peak, own))

    def _ask_for(self, request: bytes) -> tuple[int, int]:
        os.write(self._ask, request)
        answer = b""
        while len(answer) < self._ANSWER.size:
            chunk = os.read(self._tell, self._ANSWER.size - len(answer))
            if not chunk:
                raise RuntimeError("the memory sampling process has gone")
            answer += chunk
        return self._ANSWER.unpack(answer)

    def reset(self) -> None:
        self._ask_for(b"r")

    def peak(self) -> int:
        return self._ask_for(b"p")[0]

    def own_peak(self) -> int:
        return self._ask_for(b"p")[1]

    def close(self) -> None:
        """Stop the sampling process (it stops by itself when this process ends)."""
        os.close(self._ask)
        os.close(self._tell)
        os.waitpid(self._pid, 0)
