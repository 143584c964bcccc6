"""The `credcat build` and `credcat serve` commands (registered in cli.py)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .errors import CatalogError, Problems, UsageError, summary_line
from .progress import Progress, plain_progress, terminal_progress
from .validate import files_with_problems

def _cli_module():
    """generator.cli as loaded: under `python -m generator.cli` that is __main__, which must not be imported twice."""
    running = sys.modules.get("__main__")
    spec = getattr(running, "__spec__", None)
    if spec is not None and spec.name == "generator.cli":
        return running
    from . import cli

    return cli


_cli = _cli_module()
AS_OF_OPTION, CATALOG_OPTION, resolve_as_of = _cli.AS_OF_OPTION, _cli.CATALOG_OPTION, _cli.resolve_as_of

CONFIG_OPTION = click.option(
    "--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), default=Path("site_config.yml"),
    show_default=True, help="The site configuration: MkDocs settings plus the catalog's under `plugins: - credcat`.")


def _catalog_given(ctx: click.Context, catalog: Path) -> Path | None:
    """--catalog only when typed: otherwise the config file's `catalog` setting applies."""
    source = ctx.get_parameter_source("catalog")
    return catalog if source is not None and source.name != "DEFAULT" else None


def progress_for(quiet: bool) -> Progress | None:
    """Bars in a terminal, one line per stage in CI (`$CI` set), else nothing besides the summary."""
    if quiet:
        return None
    if sys.stderr.isatty():
        return terminal_progress
    return plain_progress if os.environ.get("CI") else None


def run_build(config_file: Path, *, catalog: Path | None, out: Path | None, as_of: str | None, strict: bool,
              progress: Progress | None, jobs: int | None = None, previous: str | None = None,
              clean: bool = False, quiet: bool = False) -> int:
    """Build once and report like `credcat validate` does; return the exit status (0, 1 or 2)."""
    from mkdocs.exceptions import MkDocsException

    from .build import build
    from .feeds import PreviousBuildError

    try:
        report = build(config_file, catalog=catalog, out=out, as_of=as_of, strict=strict,
                       progress=progress, jobs=jobs, previous=previous, clean=clean)
    except UsageError as exc:
        click.echo(str(exc), err=True)
        return 2
    except CatalogError as exc:
        problems = Problems(list(exc.problems))
        for problem in problems.sorted():
            click.echo(problem.text())
        click.echo(f"Aborted with {summary_line(problems, files_with_problems(problems))}. The previous site was left as it was.")
        return 1
    except (MkDocsException, OSError, RuntimeError, PreviousBuildError) as exc:
        click.echo(f"Build failed: {exc}. The previous site was left as it was.", err=True)
        return 1
    if not quiet:
        click.echo(report.summary())
    return 0


@click.command()
@CONFIG_OPTION
@CATALOG_OPTION
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where to write the site (default: site_dir from the config, `site`). Replaced whole, only when the build succeeds.")
@AS_OF_OPTION
@click.option("--strict", is_flag=True, help="Treat warnings (catalog and MkDocs) as errors.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes rendering pages (default: one per CPU; one for catalogs under 2,000 credentials, and for a cached build with fewer than 2,000 pages' worth left to make).")
@click.option("--previous", metavar="DIR|URL", default=None,
              help="The previously published site the change feed compares with (default: the config's `previous`, else the output folder).")
@click.option("--clean", is_flag=True,
              help="Ignore the build cache: check every record and make every file again (the cache is then written anew).")
@click.pass_context
def build(ctx: click.Context, config_file: Path, catalog: Path, out: Path | None, as_of: str | None, strict: bool,
          jobs: int | None, previous: str | None, clean: bool) -> None:
    """Build the site: narrative pages, a page per credential, provider and skill, search, feeds, sitemap.

    Exit status: 0 built, 1 catalog problems or build failure (the previous site is kept), 2 usage or config error.
    """
    quiet = bool(ctx.obj and ctx.obj.get("quiet"))
    status = run_build(config_file, catalog=_catalog_given(ctx, catalog), out=out,
                       as_of=resolve_as_of(as_of) if as_of else None, strict=strict, quiet=quiet,
                       progress=progress_for(quiet), jobs=jobs, previous=previous, clean=clean)
    ctx.exit(status)


@click.command()
@CONFIG_OPTION
@CATALOG_OPTION
@AS_OF_OPTION
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, metavar="HOST:PORT",
              help="Where to serve the preview.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where to build the preview (default: a temporary folder, removed on exit).")
@click.pass_context
def serve(ctx: click.Context, config_file: Path, catalog: Path, as_of: str | None, dev_addr: str, out: Path | None) -> None:
    """Build, serve the site locally, and rebuild and reload the browser when the catalog, docs, theme or config change."""
    from .serve import serve_site

    host, _, port = dev_addr.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter(f"expected HOST:PORT, e.g. 127.0.0.1:8000, got '{dev_addr}'", param_hint="--dev-addr")
    status = serve_site(config_file, catalog=_catalog_given(ctx, catalog), as_of=resolve_as_of(as_of) if as_of else None,
                        host=host, port=int(port), out=out)
    ctx.exit(status)
