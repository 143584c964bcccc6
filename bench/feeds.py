"""Benchmark the feeds stage (api/v1/) on a synthetic catalog: time and memory of write_feeds.

Usage:
    python bench/feeds.py N [--seed S] [--work DIR] [--jobs J] [--no-exports] [--no-trace]

Generates N synthetic credentials with bench/synth.py (reused when WORK already holds them), reads
the catalog, then runs the feeds stage three times into fresh folders:

  first   a first build (no previous state: every record is an addition)
  same    a rebuild against `first` with nothing changed
  edited  a rebuild against `first` after 1% of the records changed content

and prints, for each, wall time, CPU time (this process and its worker processes) and the peak of memory the stage allocated itself (tracemalloc,
measured in a separate run so tracing does not slow the timed one), plus the process's peak RSS.
The catalog is read before any measurement: its size is reported, not counted in the stage.
tracemalloc and the peak RSS see this process only: with more than one job, the workers (forked
copies holding at most two chunks each) are not in them; --jobs 1 measures the whole stage.
"""
from __future__ import annotations

import argparse
import gc
import json
import resource
import shutil
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generator.catalog import Catalog, read_catalog  # noqa: E402
from generator.config import Config  # noqa: E402
from generator.feeds import write_feeds  # noqa: E402

AS_OF = "2026-11-29"


def rss_mb() -> float:
    """The process's peak resident set size so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def catalog_for(n: int, seed: int, work: Path) -> Path:
    """A synthetic catalog of n records in work/catalog-<n>-<seed>, generated once."""
    from synth import generated

    return generated(n, work / f"catalog-{n}-{seed}", seed)


def edited(catalog: Catalog, share: float) -> Catalog:
    """The same catalog with `share` of the records given a new title (so a new content hash)."""
    from generator.catalog import from_credentials

    step = max(1, int(1 / share))
    creds = [replace(c, title=((c.title[0][0], c.title[0][1] + " (revised)"),) + c.title[1:]) if i % step == 0 else c
             for i, c in enumerate(catalog.credentials)]
    return from_credentials(creds, catalog.taxonomy, catalog.as_of)


def cpu_seconds() -> float:
    """User + system CPU time so far of this process (all threads) and of its finished worker processes."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def run(catalog: Catalog, config: Config, out: Path, trace: bool, jobs: int | None = None) -> tuple[float, float, float | None, object]:
    """One feeds stage into a fresh `out`: (wall seconds, CPU seconds, traced peak MB or None, report)."""
    if out.exists():
        shutil.rmtree(out)
    gc.collect()
    if trace:
        tracemalloc.start()
    started, cpu = time.perf_counter(), cpu_seconds()
    report = write_feeds(catalog, config, out, jobs=jobs)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    peak = None
    if trace:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return seconds, cpu, peak, report


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="feeds.py", description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, help="number of synthetic credentials")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/var/tmp/credcat-bench"), help="scratch folder")
    parser.add_argument("--jobs", type=int, default=None, help="processes for the per-credential work (default: one per CPU)")
    parser.add_argument("--no-exports", action="store_true", help="skip per-credential export files (bulk exports stay)")
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc runs")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    root = catalog_for(args.n, args.seed, args.work)
    started = time.perf_counter()
    catalog = read_catalog(root, AS_OF)
    print(f"read {len(catalog.credentials):,} credentials from {len(catalog.providers)} providers in "
          f"{time.perf_counter() - started:.1f} s; process peak RSS {rss_mb():.0f} MB", flush=True)
    base = Config(site_dir=args.work / "no-live-site", api_exports=not args.no_exports)
    first = args.work / "site-first"
    cases = [("first", catalog, base, first),
             ("same", catalog, replace(base, previous=str(first)), args.work / "site-same"),
             ("edited", edited(catalog, 0.01), replace(base, previous=str(first)), args.work / "site-edited")]
    results = {}
    for name, cat, config, out in cases:
        seconds, cpu, _, report = run(cat, config, out, trace=False, jobs=args.jobs)
        peak = None
        if not args.no_trace:
            scratch = out.with_name(out.name + "-traced")
            _, _, peak, _ = run(cat, config, scratch, trace=True, jobs=args.jobs)
            shutil.rmtree(scratch)
        files = sum(1 for _ in (out / "api/v1").rglob("*"))
        results[name] = {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "traced_peak_mb": None if peak is None else round(peak, 1),
                         "changes": report.feed.changes, "feed_items": report.feed.items, "files": files}
        traced = f"{peak:.1f} MB" if peak is not None else "not traced"
        print(f"{name:7s} {seconds:7.2f} s ({cpu:.1f} s CPU)  stage peak {traced:>10s}  changes {report.feed.changes}  "
              f"{files:,} files; process peak RSS {rss_mb():.0f} MB", flush=True)
    bulk = first / "api/v1/bulk/credentials.ndjson.gz"
    print(json.dumps({"n": args.n, "bulk_mb": round(bulk.stat().st_size / 2**20, 1), "results": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
