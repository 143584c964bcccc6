"""Render N synthetic credentials both ways and compare: credcat's render path vs one Markdown page per record via MkDocs.

Usage:
    python bench/render.py N [--seed S] [--keep DIR]

Writes a synthetic catalog of N credentials (bench/synth.py), then runs each approach in its own
process so that peak memory (ru_maxrss) is each one's own:

- credcat: Material renders the page shell once (the narrative MkDocs build), then compiled Jinja2
  templates render every catalog page (credentials, providers, skills, browse, stats) into it.
- mkdocs: one Markdown page per credential (the same facts) written into a docs folder, then
  `mkdocs build` with Material; the pages are not in the nav and MkDocs' search plugin is off,
  so the baseline is the cheapest form of that approach.

Reading and checking the catalog is the same for both and is timed apart ("load"). Prints
seconds, pages, pages per second and peak memory per approach, and the ratio of their
credential-page rates.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))
AS_OF = "2026-11-29"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process: steadier than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load(catalog: Path):
    from generator.catalog import read_catalog

    start = time.perf_counter()
    cat = read_catalog(catalog, AS_OF)
    return cat, time.perf_counter() - start


def run_credcat(catalog: Path, out: Path) -> dict:
    """credcat's path: the shell through Material once, then every catalog page through Jinja2."""
    from generator.build import build_narrative, read_config
    from generator.render import render_pages

    cat, load_s = _load(catalog)
    mk, config = read_config(REPO / "site_config.yml", catalog=catalog, out=out, as_of=AS_OF)
    out.mkdir(parents=True, exist_ok=True)
    start, cpu = time.perf_counter(), _cpu()
    shell = build_narrative(mk, config, cat, out)
    shell_s = time.perf_counter() - start
    result = render_pages(cat, config, shell, out, jobs=int(os.environ.get("CREDCAT_BENCH_JOBS", "0")) or None)
    seconds = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"approach": "credcat", "load_s": load_s, "seconds": seconds, "shell_s": shell_s,
            "cpu_s": _cpu() - cpu + children.ru_utime + children.ru_stime, "workers_peak_mb": children.ru_maxrss / 1024,
            "credential_pages": result.credentials, "pages": result.pages, "peak_mb": _peak_mb()}


MARKDOWN = """\
# {title}

{kind} by **{provider}**

| | |
|---|---|
| Workload | {workload} |
| Duration | {duration} |
| Level | {level} |
| Participation | {participation} |
| Assessment | {assessment} |
| Cost | {cost} |
| Languages | {languages} |
| Last verified | {verified} |

## Quality seal

**{score} of {out_of}** ({band}). Missing: {missing}.

## Description

{description}

## Learning outcomes

{outcomes}

## Skills

{skills}

[See it at {provider}]({url})
"""

MKDOCS_YML = """\
site_name: bench
site_url: https://bench.example/
docs_dir: docs
site_dir: {site}
theme: {{name: material, font: false}}
nav: [index.md]
plugins: []
validation: {{nav: {{omitted_files: info, not_found: info}}, links: {{not_found: info}}}}
"""


def run_mkdocs(catalog: Path, out: Path) -> dict:
    """The baseline: one Markdown page per credential through `mkdocs build` with Material (not in nav)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from generator.render import format as fmt

    cat, load_s = _load(catalog)
    work = out.parent / "mkdocs-project"
    docs = work / "docs"
    start, cpu = time.perf_counter(), _cpu()
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Bench\n", encoding="utf-8")
    for cred in cat.credentials:
        page = docs / "credentials" / cred.provider.id / f"{cred.slug}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        seal = cred.seal
        page.write_text(MARKDOWN.format(
            title=cred.name, kind=fmt.type_label(cred.type), provider=cred.provider.name,
            workload=fmt.workload(cred.workload) or "-", duration=fmt.duration(cred.duration) or "-",
            level=fmt.level(cred.level) or "-", participation=cred.participation or "-",
            assessment=fmt.assessment(cred.assessment) or "-", cost=fmt.cost(cred.cost) or "-",
            languages=", ".join(fmt.language_name(lang) for lang in cred.languages), verified=cred.last_verified or "-",
            score=seal.score, out_of=seal.out_of, band=seal.band, missing=", ".join(seal.missing) or "nothing",
            description=cred.description_text[0][1] if cred.description_text else "",
            outcomes="\n".join(f"- {o}" for o in cred.learning_outcomes) or "-",
            skills="\n".join(f"- {s.label}" for s in cred.skills) or "-", url=cred.url), encoding="utf-8")
    (work / "mkdocs.yml").write_text(MKDOCS_YML.format(site=out), encoding="utf-8")
    mkdocs_build(load_config(str(work / "mkdocs.yml")))
    seconds = time.perf_counter() - start
    return {"approach": "mkdocs", "load_s": load_s, "seconds": seconds, "cpu_s": _cpu() - cpu,
            "credential_pages": len(cat.credentials),
            "pages": len(cat.credentials) + 1, "peak_mb": _peak_mb()}


def child(approach: str, catalog: Path, out: Path) -> None:
    """Run one approach in this process and print its figures as JSON."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    import logging

    logging.basicConfig(level=logging.WARNING)
    figures = run_credcat(catalog, out) if approach == "credcat" else run_mkdocs(catalog, out)
    print(json.dumps(figures))


def main(argv: list[str] | None = None) -> int:
    """Generate the catalog, run both approaches in child processes, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="how many synthetic credentials")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it (default: a temporary folder)")
    parser.add_argument("--child", nargs=3, metavar=("APPROACH", "CATALOG", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return 0
    from synth import generate

    work = args.keep or Path(tempfile.mkdtemp(prefix="credcat-bench-"))
    catalog = work / "catalog"
    if not catalog.exists():
        start = time.perf_counter()
        generate(args.n, catalog, args.seed)
        print(f"synthetic catalog: {args.n} credentials in {time.perf_counter() - start:.1f} s ({catalog})", file=sys.stderr)
    rows = []
    for approach in ("credcat", "mkdocs"):
        out = work / approach / "site"
        proc = subprocess.run([sys.executable, __file__, str(args.n), "--child", approach, str(catalog), str(out)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(f"{'approach':<10} {'render s':>9} {'CPU s':>7} {'credential pages':>17} {'all pages':>10} {'cred. pages/s':>14} "
          f"{'peak MB':>8} {'load s':>7}")
    for row in rows:
        rate = row["credential_pages"] / row["seconds"]
        print(f"{row['approach']:<10} {row['seconds']:>9.1f} {row['cpu_s']:>7.1f} {row['credential_pages']:>17} {row['pages']:>10} "
              f"{rate:>14.0f} {row['peak_mb']:>8.0f} {row['load_s']:>7.1f}")
    ours, theirs = rows
    ratio = theirs["seconds"] / ours["seconds"]
    print(f"ratio: credcat renders {ratio:.1f}x faster (wall; {theirs['cpu_s'] / ours['cpu_s']:.1f}x in CPU time) "
          f"than one Markdown page per record through MkDocs "
          f"(credcat also rendered {ours['pages'] - ours['credential_pages']} provider, skill and browse pages; "
          f"its shell took {ours['shell_s']:.1f} s)")
    if args.keep is None:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
