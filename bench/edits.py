#!/usr/bin/env python3
"""Benchmark a one-record edit (or, with --clean, a clean build) against an earlier revision of credcat, side by side.

Usage:
    python bench/edits.py --base REV [--size N] [--rounds R] [--seed S] [--work DIR] [--settle SECONDS] [--clean]

Checks REV (a commit, tag or branch) out into a git worktree under --work, and builds the same
synthetic catalog of N credentials (bench/synth.py) with it and with this checkout, each with a
cache and a site of its own (the `credcat build` command, in a process of its own, timed whole from
here: interpreter start, imports, the build, the exit). After --settle seconds (every deletion
written out first), R rounds: one record's title is edited, and each side builds the catalog again
with its cache. The sides take turns in ABBA order (the base first in odd rounds), so neither
always runs on the warmer or the quieter machine. The edit is undone and the worktree removed at
the end.

With --clean, each round is a clean build on each side instead (`credcat build --clean`, the same
catalog, no edit), each into a site folder of its own: the last one is set aside and deleted only
at the end, since on this machine's disk files deleted in the last minute slow every file creation
(see set_aside in bench/run). The table then also gives each side's median time of the stages
that handle every record (from the build's own stage lines).

Prints each round's seconds on each side, the median of each and their ratio (base over this:
above 1, this checkout builds quicker). Whole-build times on a shared machine vary from
minute to minute by more than most changes save: read the ratio, measured side by side, not the
seconds against another run's.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
AS_OF = "2026-11-29"

from synth import generated, retitle_first  # noqa: E402 (bench/ is on the path from here)


def git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench/edits.py: git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def checkout(rev: str, folder: Path) -> str:
    """`rev` checked out (detached) into `folder` as a git worktree; its short commit id."""
    commit = git("rev-parse", "--short", f"{rev}^{{commit}}")
    if folder.exists():
        git("worktree", "remove", "--force", str(folder))
    git("worktree", "add", "--detach", str(folder), commit)
    return commit


STAGES = ("Checking records", "Rendering pages", "Indexing for search", "Writing feeds")  # --clean's stage columns
_STAGE_LINE = re.compile(r"^(.+?): .* in (\d+(?:\.\d+)?) s$", re.M)  # the build's plain stage lines (CI=true)


def build(root: Path, catalog: Path, side: Path, site: str = "site",
          clean: bool = False) -> tuple[float, dict[str, float]]:
    """Seconds `credcat build` (with --clean when `clean`) of `root`'s code takes over `catalog`, with the cache and
    the site folder `site` under `side`; and the seconds of each stage, by the build's own stage lines."""
    command = [sys.executable, "-m", "generator.cli", "build", "--config", "site_config.yml", "--catalog", str(catalog),
               "--out", str(side / site), "--as-of", AS_OF, *(["--clean"] if clean else [])]
    env = {**os.environ, "CREDCAT_CACHE_DIR": str(side / "cache"), "CI": "true"}
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=root, env=env)
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"bench/edits.py: `credcat build` in {root} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return wall, {name: float(seconds) for name, seconds in _STAGE_LINE.findall(done.stderr)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/edits.py", description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="the revision to compare with (a commit, tag or branch)")
    parser.add_argument("--size", type=int, default=100_000, help="number of synthetic credentials (default 100,000)")
    parser.add_argument("--rounds", type=int, default=3, help="edits built on each side (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/var/tmp/credcat-bench"), help="scratch folder")
    parser.add_argument("--settle", type=float, default=30.0, help="seconds to wait before the edits (default 30)")
    parser.add_argument("--clean", action="store_true", help="time clean builds (--clean) instead of edits")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more")
    args.work.mkdir(parents=True, exist_ok=True)
    catalog = generated(args.size, args.work / f"catalog-{args.size}-{args.seed}", args.seed)
    sides = {"base": args.work / "edits-base", "this": args.work / "edits-this"}
    for folder in sides.values():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    tree = args.work / "edits-base-tree"
    commit = checkout(args.base, tree)
    roots = {"base": tree, "this": REPO}
    trash = args.work / "edits-trash"  # --clean's sites, set aside as each next one is made
    file: Path | None = None
    original = b""
    times: dict[str, list[float]] = {"base": [], "this": []}
    stages: dict[str, list[dict[str, float]]] = {"base": [], "this": []}
    try:
        if not args.clean:
            for name in ("base", "this"):
                print(f"bench/edits.py: {name}: the whole catalog, {build(roots[name], catalog, sides[name])[0]:.1f} s",
                      file=sys.stderr)
        os.sync()
        time.sleep(args.settle)
        for number in range(1, args.rounds + 1):
            if not args.clean:
                file, before = retitle_first(catalog, f"An edited title for the side-by-side benchmark, round {number}")
                if number == 1:
                    original = before  # the bytes as generated, put back at the end
            for name in ("base", "this") if number % 2 else ("this", "base"):
                if args.clean:
                    set_aside(sides[name] / f"site-{number - 1}", trash)
                    wall, took = build(roots[name], catalog, sides[name], f"site-{number}", clean=True)
                    if any(stage not in took for stage in STAGES):
                        raise SystemExit(f"bench/edits.py: the {name} side's build gave no time for some of {STAGES}")
                else:
                    wall, took = build(roots[name], catalog, sides[name])
                times[name].append(wall)
                stages[name].append(took)
            print(f"bench/edits.py: round {number}: base {times['base'][-1]:.1f} s, this {times['this'][-1]:.1f} s",
                  file=sys.stderr)
    finally:
        if file is not None:
            file.write_bytes(original)
        git("worktree", "remove", "--force", str(tree))
        shutil.rmtree(trash, ignore_errors=True)
    this = git("rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if git("status", "--porcelain") else "")
    what = (f"`credcat build --clean` of a {args.size:,}-record catalog" if args.clean else
            f"One record edited in a {args.size:,}-record catalog, then `credcat build` with the cache")
    print(f"{what}, side by side (ABBA), {args.rounds} round{'s' if args.rounds != 1 else ''}:\n")
    print(f"| round | base {commit}, s | this {this}, s |")
    print("|---|---|---|")
    for number, (a, b) in enumerate(zip(times["base"], times["this"]), 1):
        print(f"| {number} | {a:.2f} | {b:.2f} |")
    base, mine = statistics.median(times["base"]), statistics.median(times["this"])
    print(f"| median | {base:.2f} | {mine:.2f} |")
    if args.clean:
        for stage in STAGES:
            a, b = (statistics.median(took[stage] for took in stages[name]) for name in ("base", "this"))
            print(f"| {stage}, median | {a:.2f} | {b:.2f} |")
    print(f"\nbase / this: {base / mine:.2f}")
    return 0


def set_aside(folder: Path, trash: Path) -> None:
    """Move `folder`, if there, into `trash` (one rename), to be deleted at the end (see the module's docstring)."""
    if folder.exists():
        trash.mkdir(exist_ok=True)
        folder.rename(trash / f"{folder.parent.name}-{folder.name}")


if __name__ == "__main__":
    sys.exit(main())
