"""Benchmark the render stage's list preparation against sorting every list by the listing key.

Usage:
    python bench/lists.py [--size N] [--seed S] [--work DIR] [--rounds R]

Reads a synthetic catalog of N credentials (bench/synth.py, generated once under WORK), then times,
R rounds each, alternating, in this one process:

- the whole catalog in listing order: credcat's `listing_order` (three stable sorts on one plain
  key each) against one sort on the key tuple (retired, title casefolded, id);
- every list of the catalog (by provider, skill, type, EQF level, audience) in listing order:
  credcat's `prepare_lists` (the catalog sorted once, its lists made again from it) against each
  list sorted on the key tuple.

Prints the best round of each, their ratio, and how many lists come out in a different order
(0 is expected).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generator.catalog import read_catalog  # noqa: E402
from generator.render import pages  # noqa: E402

AS_OF = "2026-11-29"


def by_tuple(creds) -> list:
    """The reference: one sort on the listing key as a tuple."""
    return sorted(creds, key=lambda c: (c.retired, c.name.casefold(), c.id))


def catalog_lists(catalog) -> list:
    return [creds for lists in (catalog.by_provider, catalog.by_skill, catalog.by_type, catalog.by_eqf,
                                catalog.by_audience) for creds in lists.values()]


def alternated(rounds: int, ours, reference) -> tuple[float, float, object, object]:
    """The best CPU seconds of `ours` and of `reference` over `rounds` runs each, alternating, and their last results."""
    best = [float("inf"), float("inf")]
    results: list = [None, None]
    for _ in range(max(1, rounds)):  # alternating, so both see the same state of the machine
        for i, job in enumerate((ours, reference)):
            started = time.process_time()
            results[i] = job()
            best[i] = min(best[i], time.process_time() - started)
    return best[0], best[1], results[0], results[1]


def prepared(catalog) -> list:
    """prepare_lists, then every list in the order it prepared (what the render stage reads)."""
    pages.prepare_lists(catalog)
    return [pages.in_order(creds) for creds in catalog_lists(catalog)]


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    from synth import side_by_side

    args, root = side_by_side(argv, "lists.py", __doc__, 3, "each way")
    catalog = read_catalog(root, AS_OF, jobs=2)
    lists = catalog_lists(catalog)
    whole = alternated(args.rounds, lambda: pages.listing_order(catalog.credentials),
                       lambda: by_tuple(catalog.credentials))
    each = alternated(args.rounds, lambda: prepared(catalog), lambda: [by_tuple(creds) for creds in lists])
    differ = (whole[2] != whole[3]) + sum(1 for a, b in zip(each[2], each[3]) if a != b)
    rows = [("the whole catalog", len(catalog.credentials), whole[1], whole[0]),
            (f"every list ({len(lists):,})", sum(map(len, lists)), each[1], each[0])]
    pages.forget_lists()
    print("| in listing order | entries | one sort on the key tuple | credcat | ratio |\n|---|---|---|---|---|")
    for label, entries, ref_s, ours_s in rows:
        ratio = ref_s / ours_s if ours_s else float("nan")
        print(f"| {label} | {entries:,} | {ref_s:.3f} s CPU | {ours_s:.3f} s CPU | {ratio:.2f}x |")
    print(f"\nlists in a different order: {differ}")
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
