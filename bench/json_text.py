"""Benchmark canonical JSON: credcat's encoder (generator/jsontext.py, orjson) against the standard library's.

Usage:
    python bench/json_text.py [--size N] [--seed S] [--work DIR] [--rounds R]

Reads a synthetic catalog of N credentials (bench/synth.py, generated once under WORK), makes the
values the feeds stage encodes for each credential (its API document, its list entry and its three
exports), then encodes all of them with both encoders, R rounds each, alternating, in this one
process. Prints the best round of each, their ratio, and how many texts differ (0 is expected:
the two must give the same bytes).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generator.catalog import read_catalog  # noqa: E402
from generator.config import Config  # noqa: E402
from generator.exports import EXPORTERS  # noqa: E402
from generator.feeds.documents import credential_document, credential_summary  # noqa: E402
from generator.jsontext import canonical  # noqa: E402

AS_OF = "2026-11-29"
STANDARD = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def feed_values(root: Path) -> list:
    """What the feeds stage encodes for every credential of the catalog at `root`."""
    catalog = read_catalog(root, AS_OF)
    config = Config(site_dir=root / "no-site")
    values: list = []
    for cred in catalog.credentials:
        doc = credential_document(cred, catalog, config)
        values += [doc, credential_summary(doc)]
        values += [export(cred, config) for export in EXPORTERS.values()]
    return values


def timed(encode, values: list) -> tuple[float, list[str]]:
    """Seconds of one pass of `encode` over `values`, and the texts."""
    started = time.perf_counter()
    texts = [encode(value) for value in values]
    return time.perf_counter() - started, texts


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    from synth import side_by_side

    args, root = side_by_side(argv, "json_text.py", __doc__, 3, "of each encoder")
    values = feed_values(root)
    ours = standard = float("inf")
    for _ in range(max(1, args.rounds)):  # alternating, so both see the same state of the machine
        seconds, texts = timed(canonical, values)
        ours = min(ours, seconds)
        seconds, reference = timed(STANDARD.encode, values)
        standard = min(standard, seconds)
    differ = sum(1 for a, b in zip(texts, reference) if a != b)
    print(f"| values | standard json | credcat (orjson) | ratio | texts that differ |\n|---|---|---|---|---|\n"
          f"| {len(values):,} | {standard:.3f} s | {ours:.3f} s | {standard / ours:.1f}x | {differ} |")
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
