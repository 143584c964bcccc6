"""Progress of the build's long stages: a bar with counts and an ETA in a terminal, one line each elsewhere.

A stage asks `stage(progress, label, total)` for an `advance(n)` to call as it goes. `progress`
is what the caller chose: `terminal_progress` (rich's bar on stderr, gone when the stage ends),
`plain_progress` (one summary line per stage on stderr, for CI logs), or None (silent).
"""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager, nullcontext
from typing import Callable, ContextManager, Iterator

# (stage label, total) -> a context giving advance(n)
Progress = Callable[[str, int], ContextManager[Callable[[int], None]]]


def _ignore(_: int) -> None:
    pass


def stage(progress: Progress | None, label: str, total: int) -> ContextManager[Callable[[int], None]]:
    """The stage's advance(n): the progress display's, or one that does nothing."""
    if progress is None:
        return nullcontext(_ignore)
    return progress(label, total)


@contextmanager
def terminal_progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A bar with done/total, elapsed and remaining time, on stderr, removed when the stage ends."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn, \
        TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("eta"), TimeRemainingColumn())
    with Bar(*columns, console=Console(stderr=True), transient=True) as bar:
        # rich redraws the bar from a thread of its own, which it tells to stop with the bar but does not wait
        # for: it is waited for here, so the stage leaves no thread behind (processes.Background forks only
        # while no other thread runs).
        redraw = getattr(bar.live, "_refresh_thread", None)
        try:
            task = bar.add_task(label, total=total or None)
            yield lambda n: bar.advance(task, n)
        finally:
            bar.stop()
            if redraw is not None:
                redraw.join()


@contextmanager
def plain_progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """One line on stderr when the stage ends: what it did and how long it took (for logs, where bars are noise)."""
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n

    started = time.monotonic()
    yield advance
    seconds = time.monotonic() - started
    count = f"{done:,} of {total:,} in" if total else "done in"
    print(f"{label}: {count} {seconds:.1f} s", file=sys.stderr, flush=True)
