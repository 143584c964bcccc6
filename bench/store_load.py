"""Benchmark loading records from the record store: credcat's makers against the model classes' own __init__.

Usage:
    python bench/store_load.py [--size N] [--seed S] [--work DIR] [--rounds R]

Checks a synthetic catalog of N credentials (bench/synth.py, generated once under WORK) into a
fresh record store, as `credcat build` does, then unpickles every stored segment (up to
SEGMENT_FILES records in one pickle, what an incremental build reads) R rounds each way,
alternating, in this one process:

- credcat: the references a build uses (cache.record_references), which make each record's
  objects by cache._maker, setting each slot directly;
- the reference: the same references with each model class itself, so each object is made by the
  frozen dataclass's generated __init__ (cache._shared_maker then calls the class too).

Prints the best round of each (CPU seconds), their ratio, and how many records differ between the
two (0 is expected: both must make equal records).
"""
from __future__ import annotations

import gc
import shutil
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generator import cache  # noqa: E402
from generator.catalog import read_catalog  # noqa: E402

AS_OF = "2026-11-29"


def stored_segments(root: Path, folder: Path) -> tuple[list[bytes], dict]:
    """The segment payloads of a fresh record store of the catalog at `root`, and its providers."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    store = cache.RecordStore(folder, clean=True)
    catalog = read_catalog(root, AS_OF, jobs=1, store=store)
    payloads = [store.segment(name, keys) for name, keys in store.db.execute("SELECT segment, keys FROM segments")]
    return [p for p in payloads if p is not None], catalog.providers


def timed_load(payloads: list[bytes], references: dict) -> tuple[float, list]:
    """CPU seconds to unpickle every payload with `references` (no collection meanwhile, as a build loads), and the records."""
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        loaded = [cache.load_record(payload, references) for payload in payloads]
        return time.process_time() - started, loaded
    finally:
        gc.enable()


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    from synth import side_by_side

    args, root = side_by_side(argv, "store_load.py", __doc__, 4, "each way")
    payloads, providers = stored_segments(root, args.work / f"store-load-{args.size}-{args.seed}")
    ours = reference = float("inf")
    for _ in range(max(1, args.rounds)):  # alternating, so both see the same state of the machine
        seconds, made = timed_load(payloads, cache.record_references(providers))
        ours = min(ours, seconds)
        with mock.patch.object(cache, "_maker", lambda kind: kind):
            plain = cache.record_references(providers)
        seconds, by_init = timed_load(payloads, plain)
        reference = min(reference, seconds)
    records = [result for segment in made for result in segment]
    differ = sum(1 for a, b in zip(records, (r for segment in by_init for r in segment)) if a != b)
    print(f"| records | segments (MB) | the classes' __init__ | credcat's makers | ratio | records that differ |\n"
          f"|---|---|---|---|---|---|\n"
          f"| {len(records):,} | {len(payloads):,} ({sum(map(len, payloads)) / 1e6:,.1f}) | {reference:.3f} s CPU | "
          f"{ours:.3f} s CPU | {reference / ours:.2f}x | {differ} |")
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
