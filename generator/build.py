"""`credcat build`: the whole program as a list of stages, each a line with the reason for its place.

MkDocs + Material build the narrative pages and the chrome; our stages add the catalog pages,
search index, feeds and sitemap into the same folder; the finished folder then replaces the old
site in one rename. `mkdocs build -f site_config.yml` runs the same catalog stages from the plugin
(`write_catalog_site`), so both commands give the same pages.
"""
from __future__ import annotations

import glob
import logging
import os
import pickle
import shutil
import sqlite3
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .cache import RecordStore, ResultStore, code_key, digest
from .outputs import OutputReuse, SiteCheck
from .catalog import Catalog, read_catalog
from .config import Config
from .errors import UsageError
from .feeds.paths import CHANGES_LOG, CHANGES_META, CHANGES_STATE, FEED
from . import processes
from .progress import Progress, stage
from .render import cache_templates, environment, render_pages
from .render.shell import Shell

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

log = logging.getLogger("credcat.build")


@dataclass
class BuildReport:
    """What a build produced, for the one summary line."""

    site_dir: Path
    credentials: int
    providers: int
    pages: int
    seconds: float
    warnings: int = 0
    reused: int = 0  # files of the last build kept unchanged
    in_place: bool = False  # the changed files were put into the site one by one (else the folder was swapped whole)

    def summary(self) -> str:
        """The one line a build prints."""
        text = (f"Built {self.credentials} credential{'s' if self.credentials != 1 else ''} from {self.providers} "
                f"provider{'s' if self.providers != 1 else ''} ({self.pages} catalog pages) into {self.site_dir} "
                f"in {self.seconds:.1f} s.")
        if self.reused:
            text += f" {self.reused:,} unchanged files reused from the last build."
        if self.warnings:
            text += f" {self.warnings} warning{'s' if self.warnings != 1 else ''} in the catalog: run `credcat validate` to see them."
        return text


def build(config_file: Path, *, catalog: Path | None = None, out: Path | None = None, as_of: str | None = None,
          strict: bool = False, progress: Progress | None = None, jobs: int | None = None,
          previous: str | None = None, clean: bool = False) -> BuildReport:
    """Build the site from `config_file` (site_config.yml); CLI values override the file's.

    Unless `clean`, the build reuses the cache of the last one (cache.py): records whose file and
    inputs are unchanged are not checked again, and files whose inputs are unchanged stay as
    they are in the site instead of being made again (outputs.py). `clean` ignores the cache and writes it anew.
    """
    started = time.monotonic()
    jobs = jobs or os.cpu_count() or 1
    environment.cache_clear()  # templates are read afresh by each build (`credcat serve` builds many in one process)
    # Settings first: every stage reads them, and a bad value must stop the build before any work.
    mk, config = read_config(config_file, catalog=catalog, out=out, as_of=as_of, strict=strict)
    if previous is not None:
        config = replace(config, previous=previous)
    # Meanwhile, on the other core, which files of the site in place are untouched since the last build (outputs.py).
    check = None if clean else SiteCheck(config.cache_dir, config.site_dir)
    try:
        # The catalog, once checked, stays out of the garbage collector's walks to the end (processes.frozen).
        with processes.frozen():
            return _build(mk, config, progress, jobs, clean, check, started)
    finally:
        if check is not None:
            check.close()


def _build(mk: MkDocsConfig, config: Config, progress: Progress | None, jobs: int, clean: bool,
           check: SiteCheck | None, started: float) -> BuildReport:
    """`build` from its settings on."""
    # The whole catalog next, checked: on any error we stop here and the previous site is untouched.
    cat = check_catalog(config, progress, jobs, clean)
    # Compiled templates, ours and MkDocs' (whose environment the plugin is handed the folder for), from the cache.
    if clean:
        shutil.rmtree(config.cache_dir / TEMPLATES, ignore_errors=True)
    cache_templates(environment(), config.cache_dir / TEMPLATES / "pages")
    # Everything is written into a fresh folder beside the output: with the cache, only the files
    # whose inputs changed (outputs.py); the site itself is not touched until every stage is done.
    with staging(config.site_dir) as tmp:
        # Which files of the site in place stand untouched: SiteCheck's answer, waited for in a stage of
        # its own so that the wait shows (with cold caches it can outlast the checking stage).
        with stage(progress, "Checking the last site", 0):
            reuse = OutputReuse(config.cache_dir, config.site_dir, tmp, clean=clean, check=check)
        # MkDocs before our stages: it empties its folder, writes narrative pages and theme assets, and renders the shell.
        with stage(progress, "Building narrative pages (MkDocs)", 0):
            shell = build_narrative(mk, config, cat, tmp)
            reuse.add_folder()  # what MkDocs wrote; the catalog's stages tell of each file they write
        # The catalog's pages, search index, feeds and sitemap, into the same folder.
        pages = write_catalog_site(cat, config, shell, tmp, progress, jobs, reuse)
        # Only a build that got this far changes the site: its new files go in (or the folder replaces
        # the site whole), then the cache describes the new site.
        with stage(progress, "Updating the site", 0):
            reuse.finish(swap, last=(FEED, CHANGES_STATE, CHANGES_LOG, CHANGES_META))
            reuse.save()
    return BuildReport(config.site_dir, len(cat.credentials), len(cat.providers), pages, time.monotonic() - started,
                       len(cat.problems.warnings), reuse.kept, reuse.in_place)


TEMPLATES = "templates"  # the cache folder's subfolder of compiled templates (render.cache_templates)
BESIDE_MAX = 2000  # credential files checked anew, at most, for a change small enough to run stages beside render


def write_catalog_site(catalog: Catalog, config: Config, shell: Shell, out: Path, progress: Progress | None = None,
                       jobs: int | None = None, reuse: OutputReuse | None = None) -> int:
    """The catalog's own stages over a folder MkDocs has built; returns the number of pages rendered."""
    from .search import write_search_index
    from .sitemap import write_sitemap

    total = len(catalog.credentials)
    key = global_key(config, shell) if reuse is not None else b""
    search = feeds = None
    try:
        if reuse is not None:
            reuse.key, reuse.records = key, total
            if small_change(catalog, reuse, key, jobs):  # search and feeds in forked processes, beside render
                # One process each: no workers of their own, which `close` would not stop.
                search = Beside(lambda told: write_search_index(catalog, config, out, reuse=told, key=key, jobs=1),
                                reuse)
                feeds = Beside(lambda told: _write_feeds(catalog, config, out, None, 1, told, key), reuse)
        with stage(progress, "Rendering pages", total) as advance:
            result = render_pages(catalog, config, shell, out, advance, jobs, reuse, key)
        processes.between_stages()  # each stage's own data goes before the next forks its workers
        with stage(progress, "Indexing for search", total) as advance:
            if search is not None and search.take():
                advance(total)
            else:
                write_search_index(catalog, config, out, advance=advance, reuse=reuse, key=key)
        processes.between_stages()
        # Feeds: each credential page links to its JSON document, so both must ship together.
        with stage(progress, "Writing feeds", total) as advance:
            if feeds is not None and feeds.take():
                advance(total)
            else:
                _write_feeds(catalog, config, out, advance, jobs, reuse, key)
    finally:
        for job in (search, feeds):
            if job is not None:
                job.close()
    # Last: the sitemap lists every page the stages above wrote (or kept).
    with stage(progress, "Writing the sitemap", 0):
        if reuse is None:
            write_sitemap(catalog, config, out)
        else:
            write_sitemap(catalog, config, out, pages=reuse.page_paths(), reuse=reuse)
    return result.pages


def small_change(catalog: Catalog, reuse: OutputReuse, key: bytes, jobs: int | None) -> bool:
    """Whether stages may run beside render: more than one process allowed, the last site made with the same code,
    templates and settings (`key`), at most BESIDE_MAX files checked anew, and about as many records as then."""
    old = reuse.old
    return ((jobs or 0) > 1 and bool(old) and old.key == key and catalog.checked is not None
            and catalog.checked <= BESIDE_MAX and abs(len(catalog.credentials) - old.records) <= BESIDE_MAX)


def _write_feeds(catalog: Catalog, config: Config, out: Path, advance: Callable[[int], None] | None,
                 jobs: int | None, reuse: OutputReuse | None, key: bytes) -> None:
    """The feeds stage: with the cache, through the feeds' result store (cache.ResultStore)."""
    from .feeds import write_feeds

    if reuse is None:
        write_feeds(catalog, config, out, advance=advance, jobs=jobs)
        return
    results = ResultStore(config.cache_dir, "feeds", clean=not reuse.old)
    try:
        write_feeds(catalog, config, out, advance=advance, jobs=jobs, reuse=reuse, key=key, results=results)
        results.commit()
    finally:
        results.close()


class Beside:
    """A stage of an incremental build after a small change, run in a forked process while this one renders.

    After a small change every stage is a pass over the catalog that keeps nearly every file, each
    in turn in this one process, and the other core sat idle. The search and feeds stages need
    nothing the render stage makes, nor each other, and each writes only its own files (under search/
    and api/v1/), which no other stage writes. So from the start of the render stage each runs
    in a forked process (`processes.Background`) and sends back what it told its copy of `reuse`
    of its files (`OutputReuse.adopt`), or the exception that stopped it, to be raised here. The
    stage then only waits for it. After a larger change (`small_change`) the stages run here in
    turn, each with its own worker processes, as in a clean build. Where the fork cannot run (no
    fork, or other threads running, as in `credcat serve`), or the process dies, `take` is False and
    the stage runs here. A forked stage runs in one process, with no workers of its own (a small
    change needs none, and `close` stops the one process).
    """

    def __init__(self, stage_job: Callable[[OutputReuse], object], reuse: OutputReuse) -> None:
        self.reuse = reuse
        self.job = processes.Background(lambda: _beside(stage_job, reuse))

    def take(self) -> bool:
        """Wait for the forked stage and take its files into `reuse`; raise what stopped it; False if it did not run."""
        data = self.job.result()
        if data is None:
            return False
        outcome, value, kept = pickle.loads(data)
        if outcome == "failed":
            raise value
        self.reuse.adopt(value, kept)
        return True

    def close(self) -> None:
        """Stop the forked process if it still runs (the build failed or was interrupted before it was taken)."""
        self.job.close()


_UNTOLD = object()


def _beside(stage_job: Callable[[OutputReuse], object], reuse: OutputReuse) -> bytes:
    """In the forked process: the stage, then ("done", the entries it told `reuse`, files kept) pickled, or
    ("failed", the exception, 0)."""
    told, kept = dict(reuse.new), reuse.kept
    try:
        stage_job(reuse)
    except BaseException as exc:  # noqa: BLE001 - every exception goes back to the build process, to be raised there
        return pickle.dumps(("failed", _portable(exc), 0), protocol=5)
    entries = [(rel, entry) for rel, entry in reuse.new.items() if told.get(rel, _UNTOLD) != entry]
    return pickle.dumps(("done", entries, reuse.kept - kept), protocol=5)


def _portable(exc: BaseException) -> BaseException:
    """`exc` as the build process can raise it: itself if it survives pickling (with the forked process's traceback
    noted, unless it is one of credcat's own, told by its message), else a RuntimeError with that traceback."""
    import traceback

    text = "".join(traceback.format_exception(exc))
    try:
        copy = pickle.loads(pickle.dumps(exc, protocol=5))
    except Exception:  # noqa: BLE001 - an exception that cannot travel is told as text
        return RuntimeError(f"a stage failed in its forked process:\n{text}")
    if not isinstance(exc, KeyboardInterrupt) and not type(exc).__module__.startswith("generator."):
        copy.add_note(f"(raised in a stage's forked process)\n{text}")  # not ours: a bug, whose traceback helps
    return copy


def global_key(config: Config, shell: Shell) -> bytes:
    """What every catalog file depends on besides its own records: code, templates, settings, the page shell."""
    return digest(code_key(), repr(config), repr(shell))


def open_store(config: Config, clean: bool) -> RecordStore:
    """The record store of the cache folder (emptied first when `clean`)."""
    try:
        return RecordStore(config.cache_dir, clean)
    except (OSError, sqlite3.Error) as exc:
        raise UsageError(f"cannot use the build cache at '{config.cache_dir}': {exc} "
                         "(set cache_dir in the config to a folder you can write)") from None


# --- stages -------------------------------------------------------------------------------------

def read_config(config_file: Path, *, catalog: Path | None = None, out: Path | None = None,
                as_of: str | None = None, strict: bool = False) -> tuple[MkDocsConfig, Config]:
    """Load and check site_config.yml with MkDocs' own checks; raise UsageError with every message."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2 is not our users' concern
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    from .plugin import plugin_of, settings_from

    if not config_file.is_file():
        raise UsageError(f"{config_file}: no such configuration file (give another with --config FILE)")
    messages: list[str] = []
    collector = _Collect(messages)
    mk_log = logging.getLogger("mkdocs")
    mk_log.addHandler(collector)
    propagate, mk_log.propagate = mk_log.propagate, False
    try:
        mk = load_config(config_file=str(config_file), strict=strict or None)
    except (Abort, ConfigurationError, ValueError, TypeError) as exc:  # ValueError: YAML's own dates, e.g. 2026-13-01
        details = "\n".join(f"{config_file}: {m}" for m in messages) or f"{config_file}: error: {exc}"
        count = max(1, sum(1 for m in messages if m.startswith("error")))
        raise UsageError(f"{details}\nAborted with {count} configuration error{'s' if count != 1 else ''}.") from None
    finally:
        mk_log.removeHandler(collector)
        mk_log.propagate = propagate
    for message in messages:
        print(f"{config_file}: {message}", file=sys.stderr)
    plugin = plugin_of(mk)
    if plugin is None:
        raise UsageError(f"{config_file}: error: the credcat plugin is not enabled\n"
                         "  hint: add it under plugins:, e.g. `plugins: [credcat]`")
    try:
        config = settings_from(mk, plugin.config, catalog=catalog, as_of=as_of, strict=strict or None)
    except Exception as exc:  # click.BadParameter from resolve_as_of (SOURCE_DATE_EPOCH)
        raise UsageError(f"{config_file}: error: {getattr(exc, 'message', exc)}") from None
    if out is not None:
        config = replace(config, site_dir=out)
    return mk, config


def load_catalog(config: Config, progress: Progress | None = None, jobs: int = 1,
                 store: RecordStore | None = None) -> Catalog:
    """Read, check and index the catalog (raises CatalogError with every problem)."""
    return read_catalog(config.catalog, config.as_of, strict=config.strict, jobs=jobs, store=store, progress=progress)


def check_catalog(config: Config, progress: Progress | None = None, jobs: int = 1, clean: bool = False) -> Catalog:
    """The catalog, checked through the cache folder's record store (emptied first when `clean`), as `build` reads it.

    What checking freed (pickled results, parsed YAML) is handed back before the caller forks
    workers; in a build (a `processes.frozen` block), the catalog is frozen.
    """
    store = open_store(config, clean)
    try:
        catalog = load_catalog(config, progress, jobs, store)
    finally:
        store.close()
    processes.between_stages()
    return catalog


def build_narrative(mk: MkDocsConfig, config: Config, catalog: Catalog, out: Path) -> Shell:
    """Run MkDocs (Material, our overrides, our plugin) into `out`; return the page shell it rendered."""
    from mkdocs.commands.build import build as mkdocs_build

    from .plugin import plugin_of

    plugin = plugin_of(mk)
    assert plugin is not None
    plugin.prepare(config, catalog, templates=config.cache_dir / TEMPLATES / "mkdocs")
    mk["site_dir"] = str(out)
    mkdocs_build(mk)
    if plugin.shell is None:
        raise RuntimeError("MkDocs did not render the credcat page shell")
    return plugin.shell


@contextmanager
def staging(site_dir: Path) -> Iterator[Path]:
    """A fresh build folder next to `site_dir`, removed again if the build fails.

    Build folders left beside the site by builds stopped where no handler runs (SIGKILL, a machine
    losing power) are deleted first, by a detached process (see _left_by_stopped_builds).
    """
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    for left in _left_by_stopped_builds(site_dir):
        remove_later(left)
    tmp = site_dir.parent / f".{site_dir.name}.building-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        yield tmp
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _left_by_stopped_builds(site_dir: Path) -> list[Path]:
    """The `.<site>.building-<pid>` folders beside `site_dir` whose process is gone.

    A folder whose number is a running process's is kept: it may be another build's, under way. A
    process that has since taken the number keeps the folder until it ends, which wastes space but
    never deletes a build in progress. (`.<site>.old-<pid>` folders are not taken: the detached
    process deleting one outlives the build whose number it bears.)
    """
    prefix = f".{site_dir.name}.building-"
    left = []
    for folder in site_dir.parent.glob(f"{glob.escape(prefix)}*"):
        pid = folder.name[len(prefix):]
        if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)) and folder.is_dir():
            left.append(folder)
    return sorted(left)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def swap(tmp: Path, site_dir: Path) -> None:
    """Put the finished build in place of `site_dir` by renames; the old site is kept until the new one is in.

    The old tree is then deleted by a detached process: removing tens of thousands of files takes
    longer than an incremental build, and nothing waits for it.
    """
    site_dir = site_dir.resolve()
    old = site_dir.parent / f".{site_dir.name}.old-{os.getpid()}"
    if site_dir.exists():
        site_dir.rename(old)
    try:
        tmp.rename(site_dir)
    except OSError:
        if old.exists():
            old.rename(site_dir)
        raise
    if old.exists():
        remove_later(old)


def remove_later(folder: Path) -> None:
    """Delete `folder` in a detached process (in this one when that cannot start)."""
    import subprocess

    rm = shutil.which("rm")
    if rm is not None and os.name == "posix":
        try:
            subprocess.Popen([rm, "-rf", "--", str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
            return
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


# --- helpers ------------------------------------------------------------------------------------

class _Collect(logging.Handler):
    """Keeps MkDocs' configuration warnings and errors so they can be shown as ours."""

    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the message, prefixed with its level."""
        self.into.append(f"{record.levelname.lower()}: {record.getMessage()}")
