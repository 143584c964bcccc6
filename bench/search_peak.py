#!/usr/bin/env python3
"""bench/search_peak.py: the search stage's peak memory, the build process's own beside all processes'.

Loads a synthetic catalog (bench/synth.py) as `credcat build` does, through a record store in the
work folder, then runs the search stage alone (`build_index`, no build cache) while
procmem.PeakSampler (bench/run's sampler) follows the proportional set size (PSS,
/proc/<pid>/smaps_rollup, Linux only) of this process and of every worker it has forked. It
reports the build process's resident memory before the stage and at its peak, and the peak of
the PSS sum (what all of them hold, shared pages counted once). With `--second-pass-here` the
stage's second pass (writing the terms' files) runs in the build process instead of in
workers, so the two runs side by side say which pass's workers make the peak.

    python bench/search_peak.py --size 100000
    python bench/search_peak.py --size 100000 --second-pass-here
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
AS_OF = "2026-11-29"

from procmem import PeakSampler, resident_mb  # noqa: E402 (bench/ is on the path from here)


def measure(catalog_dir: Path, cache: Path, work: Path, jobs: int, second_here: bool) -> dict:
    """Load the catalog through the record store in `cache`, then run and sample the search stage alone."""
    os.environ["CREDCAT_CACHE_DIR"] = str(cache)
    import generator.search.build as search
    from generator.build import check_catalog, read_config

    _, config = read_config(REPO / "site_config.yml", catalog=catalog_dir, out=work / "site", as_of=AS_OF)
    catalog = check_catalog(config, None, os.cpu_count() or 1)
    if second_here:
        pool_run = search.processes.run

        def run(job, tasks, workers, *args, **kwargs):
            return pool_run(job, tasks, 1 if job is search._write_job else workers, *args, **kwargs)

        search.processes = type("SecondPassHere", (), {"run": staticmethod(run),
                                                       "frozen": staticmethod(search.processes.frozen)})
    before = resident_mb()
    sampler = PeakSampler()
    sampler.reset()
    out = Path(tempfile.mkdtemp(dir=work, prefix="search-"))
    try:
        started = time.perf_counter()
        search.build_index(catalog, config, out, jobs=jobs)
        seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"records": len(catalog.credentials), "seconds": seconds, "before": before,
            "own": sampler.own_peak() // (1 << 20), "total": sampler.peak() // (1 << 20)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="records in the synthetic catalog")
    parser.add_argument("--work", type=Path, default=None, help="where the catalog and store go (default: a temporary folder)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the stage (default 2)")
    parser.add_argument("--second-pass-here", action="store_true", help="the second pass in the build process")
    args = parser.parse_args(argv)
    if not Path("/proc/self/smaps_rollup").exists():
        print("bench/search_peak.py needs Linux (/proc/<pid>/smaps_rollup)", file=sys.stderr)
        return 2
    from synth import generated

    work = args.work or Path(tempfile.mkdtemp(prefix="credcat-search-peak-"))
    try:
        # bench/run's names: with --work /var/tmp/credcat-bench its record store is reused, not filled again
        row = measure(generated(args.size, work / f"catalog-{args.size}"), work / f"cache-{args.size}", work,
                      args.jobs, args.second_pass_here)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    where = "in the build process" if args.second_pass_here else "in workers"
    print(f"The search stage alone, {row['records']:,} records, {args.jobs} processes, second pass {where}:\n")
    print("| build process before (RSS) | build process at its peak (RSS) | all processes at their peak (PSS summed) | stage s |")
    print("|---|---|---|---|")
    print(f"| {row['before']:,} MB | {row['own']:,} MB | {row['total']:,} MB | {row['seconds']:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
