#!/usr/bin/env python3
"""bench/copies.py: how much of the catalog a forked worker (of the render stage, or search) copies, by kind of task.

A forked worker shares the build process's memory until it writes to a page; CPython writes a
reference count into every object it reads, so every page of records a worker reads becomes its
own copy. This loads a synthetic catalog (bench/synth.py) as `credcat build` does, prepares the
render stage as render_pages does (the related index built and the templates compiled before the
fork, the catalog frozen for the garbage collector), then forks one worker for each kind of work,
one after the other. Each worker does only that work and reports the private memory it gained
(Private_Dirty of /proc/self/smaps_rollup, Linux only). The ratio column divides that by the
build process's own resident memory, measured in the same run: the share of the loaded catalog
one worker copies. With `--search`, the search stage's workers too: one first-pass worker's
chunks, and a second-pass worker's share (of two) of the terms' files, after the first pass has
been joined in the build process.

    python bench/copies.py                  # 10,000 records
    python bench/copies.py --size 100000
    python bench/copies.py --size 100000 --search   # the search stage's workers too
"""
from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
AS_OF = "2026-11-29"

from procmem import proc_kb, resident_mb  # noqa: E402 (bench/ is on the path from here)


def _private_mb() -> int:
    return proc_kb("Private_Dirty") // 1024


def _in_worker(work) -> int:
    """Fork, do `work` in the child, and return the private memory (MB) the child gained doing it."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        base = _private_mb()
        work()
        os.write(write, str(_private_mb() - base).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as fh:
        return int(fh.read() or 0)


def measure(catalog_dir: Path, work: Path, search: bool = False) -> list[tuple[str, int]]:
    """(kind of work, MB a worker copied doing it), with the build process's resident MB first; `search`: the
    search stage's workers too."""
    os.environ["CREDCAT_CACHE_DIR"] = str(work / "cache")
    import generator.render as render
    from generator.build import build_narrative, check_catalog, global_key, read_config, staging
    from generator.outputs import OutputReuse
    from generator.render.pages import browse_lists, page_groups

    mk, config = read_config(REPO / "site_config.yml", catalog=catalog_dir, out=work / "site", as_of=AS_OF)
    catalog = check_catalog(config, None, os.cpu_count() or 1, clean=True)
    with staging(config.site_dir) as out:
        reuse = OutputReuse(config.cache_dir, config.site_dir, out, clean=True)
        shell = build_narrative(mk, config, catalog, out)
        tasks, render._JOB = render.prepare(catalog, config, shell, str(out), reuse, global_key(config, shell))
        env = render.environment()
        gc.freeze()
        groups = page_groups(catalog, config)
        stats = len(groups) - 1  # page_groups ends with the browse index, the browse lists, then the statistics
        browse = range(stats - len(browse_lists(catalog)), stats)
        units = render._JOB.units
        credential_tasks = [t for t in tasks if t[0] == "credentials"]
        middle = len(credential_tasks) // 2
        tasks_a_worker = render.TASKS_PER_WORKER  # a generation's tasks for one worker
        credential_tasks = credential_tasks[middle:middle + tasks_a_worker]
        group_tasks = [t for t in tasks if t[0] == "groups" and
                       not any(i in browse or i == stats for i, _ in units[t[1]:t[2]])]
        middle = len(group_tasks) // 2
        group_tasks = group_tasks[middle:middle + tasks_a_worker]

        def run_tasks(chosen):
            return lambda: [render._render_task(task) for task in chosen]

        def run_groups(indices):
            return lambda: [render.render_page(spec, shell, config, env) for i in indices
                            for spec in render._JOB.ready.get(i) or groups[i]()]

        rows = [("the build process itself (resident)", resident_mb()),
                ("a worker that does nothing", _in_worker(lambda: None)),
                (f"{len(credential_tasks)} credential-page tasks ({sum(b - a for _, a, b in credential_tasks):,} pages)",
                 _in_worker(run_tasks(credential_tasks))),
                (f"{len(group_tasks)} list-page tasks from the middle of the groups", _in_worker(run_tasks(group_tasks))),
                ("the browse pages (every credential by type, level, audience)", _in_worker(run_groups(browse))),
                ("the statistics page", _in_worker(run_groups([stats])))]
        render._JOB = None
        gc.unfreeze()
        if search:
            rows += search_rows(catalog, config, out)
    return rows


def search_rows(catalog, config, out: Path) -> list[tuple[str, int]]:
    """The search stage's two kinds of worker, as build_index forks them (one first-pass worker's chunks; a
    second-pass worker's share of two), and the build process's resident memory once the first pass is joined."""
    import generator.search.build as search
    from generator.search.index import SUMMARY_PAGE, IndexBuilder

    builder = IndexBuilder(catalog, config)
    avg = search.sampled_avg_lengths(builder)
    chunks = search._chunks(catalog.credentials)
    middle = len(chunks) // 2
    first_pass = chunks[middle:middle + search.CHUNKS_PER_WORKER]
    root = out / "search-index"
    root.mkdir()
    search._JOB = (builder, root, avg, None, b"", False)
    gc.freeze()
    try:
        rows = [(f"{len(first_pass)} first-pass search chunks ({sum(b - a for a, b in first_pass):,} credentials)",
                 _in_worker(lambda: [search._collect_job(chunk) for chunk in first_pass]))]
        for start, stop in chunks:  # the first pass, here: the build process holds the joined index
            builder.add_chunk(builder.collect(start, stop, avg), start)
        builder.finish()
        gc.freeze()
        terms = list(range(len(builder.vocab)))
        share = search._split(terms, search.term_weights(builder, terms), 2)[0]
        pages = range(-(-len(catalog.credentials) // SUMMARY_PAGE))
        rows += [("the build process once the first pass is joined (resident)", resident_mb()),
                 (f"a second-pass search worker's share of two ({len(share):,} of {len(terms):,} terms, "
                  "half the summaries)", _in_worker(lambda: search._write_job((share, pages[:len(pages) // 2]))))]
    finally:
        search._JOB = None
        gc.unfreeze()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="records in the synthetic catalog")
    parser.add_argument("--work", type=Path, default=None, help="where the catalog goes (default: a temporary folder)")
    parser.add_argument("--search", action="store_true", help="the search stage's workers too")
    args = parser.parse_args(argv)
    if not Path("/proc/self/smaps_rollup").exists() or not hasattr(os, "fork"):
        print("bench/copies.py needs Linux (fork and /proc/self/smaps_rollup)", file=sys.stderr)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="credcat-copies-"))
    try:
        from synth import generated

        rows = measure(generated(args.size, work / f"catalog-{args.size}"), work, args.search)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    resident = rows[0][1] or 1
    print(f"One forked worker per kind of work, {args.size:,} records, same run:\n")
    print("| what the worker did | private memory it gained | share of the build process's memory |")
    print("|---|---|---|")
    for name, mb in rows:
        print(f"| {name} | {mb:,} MB | {mb / resident:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
