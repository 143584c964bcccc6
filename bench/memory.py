#!/usr/bin/env python3
"""bench/memory.py: what a checked record costs in memory once loaded, with and without shared values.

The same synthetic catalog (bench/synth.py) is checked once into a record store; then, in two
fresh processes run one after the other, every record is loaded from that store and counted by
tracemalloc: once with the references the build uses (cache.record_references: equal seals,
skills, costs... shared) and once with the model's plain classes (every record its own copies).
Both processes also report their resident memory. The ratio is the figure to read; the absolute
numbers depend on the machine's Python.

    python bench/memory.py                  # 10,000 records
    python bench/memory.py --size 100000
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
AS_OF = "2026-11-29"

from procmem import resident_mb  # noqa: E402 (bench/ is on the path from here)


def child(catalog: Path, store: Path, shared: bool) -> dict:
    """Load every record of `catalog` from `store` (filled beforehand) and count what they hold."""
    from generator import cache, validate
    from generator.cache import RecordStore
    from generator.catalog import read_catalog

    if not shared:  # the model's classes themselves: each record makes its own objects
        plain = lambda providers: {**providers, **dict(enumerate(cache._CLASSES))}  # noqa: E731
        validate.record_references = plain
    records = RecordStore(store)
    try:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        started = time.perf_counter()
        catalog_ = read_catalog(catalog, AS_OF, jobs=1, store=records)
        seconds = time.perf_counter() - started
        held = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
    finally:
        records.close()
    n = len(catalog_.credentials)
    return {"records": n, "bytes_per_record": held / n, "seconds": seconds, "resident_mb": resident_mb()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="records in the synthetic catalog")
    parser.add_argument("--work", type=Path, default=None, help="where the catalog and store go (default: a temporary folder)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(Path(args.child[0]), Path(args.child[1]), args.child[2] == "shared")))
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="credcat-memory-"))
    try:
        from synth import generated

        catalog, store = generated(args.size, work / f"catalog-{args.size}"), work / f"store-{args.size}"
        from generator.cache import RecordStore
        from generator.catalog import read_catalog

        filled = RecordStore(store, clean=True)  # checked once here, so both children only load
        try:
            read_catalog(catalog, AS_OF, jobs=os.cpu_count() or 1, store=filled)
        finally:
            filled.close()
        found = {}
        for kind in ("shared", "plain"):
            out = subprocess.run([sys.executable, __file__, "--child", str(catalog), str(store), kind],
                                 check=True, capture_output=True, text=True).stdout
            found[kind] = json.loads(out.strip().splitlines()[-1])
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    shared, plain = found["shared"], found["plain"]
    print(f"Loaded records from the store, {shared['records']:,} records, same run:\n")
    print("| records loaded with | bytes a record (tracemalloc) | load s (traced) | process resident |")
    print("|---|---|---|---|")
    for name, row in (("shared values (the build)", shared), ("plain classes", plain)):
        print(f"| {name} | {row['bytes_per_record']:,.0f} | {row['seconds']:.1f} | {row['resident_mb']:,.0f} MB |")
    print(f"\nratio shared / plain: {shared['bytes_per_record'] / plain['bytes_per_record']:.2f} of the bytes, "
          f"{shared['resident_mb'] / plain['resident_mb']:.2f} of the resident memory")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
