"""The `credcat` command line."""
from __future__ import annotations

import json
import logging
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from .errors import Problems, UsageError, dumps, summary_line
from .validate import CatalogReader, files_with_problems, resolve_paths

CATALOG_OPTION = click.option(
    "--catalog", "catalog", type=click.Path(path_type=Path, file_okay=False), default=Path("catalog"),
    show_default=True, help="The catalog folder: <provider>/provider.yml, <provider>/credentials/<slug>.yml, taxonomy/skills.yml.")
AS_OF_OPTION = click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD", default=None,
    help="The date freshness is judged against (default: $SOURCE_DATE_EPOCH if set, else today in UTC).")


def resolve_as_of(value: str | None) -> str:
    """The reference date: the option, else SOURCE_DATE_EPOCH (reproducible builds), else today (UTC)."""
    from datetime import date

    if value:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise click.BadParameter(f"expected a date as YYYY-MM-DD, got '{value}'", param_hint="--as-of") from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date().isoformat()
        except ValueError:
            raise click.UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got '{epoch}'") from None
    return datetime.now(timezone.utc).date().isoformat()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="credcat")
@click.option("-v", "--verbose", count=True, help="Say more (repeat for debug output).")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """credcat: validate micro-credential records and build the catalog site and feeds."""
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, format="%(message)s")
    ctx.ensure_object(dict)
    ctx.obj["quiet"] = quiet


def _open_reader(catalog: Path, as_of: str, paths: tuple[Path, ...] = ()) -> CatalogReader:
    try:
        only = resolve_paths(catalog, list(paths)) if paths else None
        return CatalogReader(catalog, as_of, only, jobs=os.cpu_count() or 1)  # forks only past 1,000 files
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@CATALOG_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text for people, json for tools, github for GitHub Actions annotations.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 when there are any).")
@AS_OF_OPTION
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], catalog: Path, fmt: str, strict: bool, as_of: str | None) -> None:
    """Check the catalog (or just PATHS inside it) and report every problem at once.

    Exit status: 0 valid, 1 problems found, 2 usage error.
    """
    reader = _open_reader(catalog, resolve_as_of(as_of), paths)
    credentials = sum(1 for _ in reader.credentials())
    problems = reader.problems
    failed = bool(problems.errors) or (strict and bool(problems.warnings))
    if fmt == "json":
        click.echo(dumps({"credentials": credentials, "providers": reader.stats.providers,
                          "files": reader.stats.files, "valid": not failed,
                          "problems": [p.as_json() for p in problems.sorted()]}), nl=False)
    elif fmt == "github":
        for problem in problems.sorted():
            click.echo(problem.github())
        click.echo(_closing(problems, failed, reader))
    else:
        quiet = ctx.obj.get("quiet", False)
        for problem in problems.sorted():
            if quiet and problem.severity == "warning" and not strict:
                continue
            click.echo(problem.text(), err=False)
        if not quiet or failed:
            click.echo(_closing(problems, failed, reader))
    ctx.exit(1 if failed else 0)


def _closing(problems: Problems, failed: bool, reader: CatalogReader) -> str:
    stats = reader.stats
    checked = f"{stats.credentials} credential{'s' if stats.credentials != 1 else ''} from {stats.providers} provider{'s' if stats.providers != 1 else ''}"
    if failed:
        return f"Aborted with {summary_line(problems, files_with_problems(problems))}."
    if problems.warnings:
        return f"Catalog is valid: {checked} ({summary_line(problems, files_with_problems(problems))})."
    return f"Catalog is valid: {checked}."


@main.command()
@click.argument("credential_id", metavar="ID")
@CATALOG_OPTION
@AS_OF_OPTION
@click.pass_context
def show(ctx: click.Context, credential_id: str, catalog: Path, as_of: str | None) -> None:
    """Print the normalized record ID (<provider>/<slug>) as JSON: what the generator understood."""
    from .load import SLUG

    provider_id, _, slug = credential_id.partition("/")
    if not (SLUG.match(provider_id) and SLUG.match(slug)):
        raise click.BadParameter(f"expected <provider>/<slug>, e.g. ibm/data-science, got '{credential_id}'", param_hint="ID")
    target = None
    for suffix in (".yml", ".yaml"):
        candidate = catalog / provider_id / "credentials" / f"{slug}{suffix}"
        if candidate.is_file():
            target = candidate
    if target is None:
        raise click.UsageError(f"no credential '{credential_id}' in {catalog} (looked for {catalog / provider_id / 'credentials' / (slug + '.yml')})")
    reader = _open_reader(catalog, resolve_as_of(as_of), (target,))
    found = [c for c in reader.credentials() if c.id == credential_id]
    mine = [p for p in reader.problems.sorted() if p.record in (credential_id, provider_id) or p.path.endswith("skills.yml")]
    for problem in mine:
        click.echo(problem.text(), err=True)
    if not found:
        click.echo(f"Aborted: {credential_id} has errors; fix them to see the normalized record.", err=True)
        ctx.exit(1)
    click.echo(dumps(found[0].to_json()), nl=False)


TEMPLATE = """\
# yaml-language-server: $schema=../../../schemas/credential.schema.json
# A credcat credential record. Fields marked (EU) are elements of the EU micro-credential
# standard and count toward the quality seal. See CONTRIBUTING.md for every accepted form.

title: {title}                      # required: the credential's name ({{en: ..., de: ...}} for several languages)
type: certificate                   # required: micro-credential, badge, certificate, certification, course, learning-program
description: |                      # required: Markdown, no raw HTML
  What a learner studies and can do afterwards, in a short paragraph.
url: https://example.org/{slug}     # required: the credential's page at the provider (https only)
languages: [en]                     # required: codes (en, de) or names (English)

skills:                             # recommended: names from catalog/taxonomy/skills.yml, or {{label, uri}}
  - communication
learning_outcomes:                  # (EU) what a learner can do on completion
  - Explain ...
workload: 40 hours                  # (EU) '40 hours', 'PT40H', '3 h/week for 6 weeks', {{hours: 40}} or {{ects: 2}}
duration: 6 weeks                   # '6 weeks', '2-3 months' or {{min: P2M, max: P3M}}
level: beginner                     # (EU) {{eqf: 5}}, 'EQF 5', or beginner / intermediate / advanced
participation: online               # (EU) online, onsite, blended, in person
assessment: exam                    # (EU) 'exam' or {{type: [exam, project], supervision: proctored, id_verified: true}}
quality_assurance:                  # (EU) who assures quality
  - type: internal                  # internal or external
    body: {provider_name}
cost: free                          # recommended: free, 'USD 49', '49 EUR' or {{amount: 49, currency: USD, per: month}}
# prerequisites: [...]
# stackability: {{part_of: [provider/slug], leads_to: [provider/slug]}}
# occupations: ["15-2051"]          # SOC or ISCO-08 codes
# status: active                    # active or retired
# tags: [...]
last_verified: {today}              # recommended: the date you checked this against the provider's page
"""


@main.command()
@click.argument("credential_id", metavar="ID")
@CATALOG_OPTION
@click.option("--title", default=None, help="The credential's title (default: made from the slug).")
@AS_OF_OPTION
def new(credential_id: str, catalog: Path, title: str | None, as_of: str | None) -> None:
    """Write a commented template record for ID (<provider>/<slug>) to fill in."""
    from .load import SLUG, slugify

    provider_id, _, slug = credential_id.partition("/")
    for part, name in ((provider_id, "provider"), (slug, "slug")):
        if not SLUG.match(part):
            raise click.BadParameter(
                f"the {name} '{part}' is not a safe id; use lowercase letters, digits and hyphens, e.g. '{slugify(part) or 'my-' + name}'",
                param_hint="ID")
    target = catalog / provider_id / "credentials" / f"{slug}.yml"
    if target.exists():
        raise click.UsageError(f"{target} already exists; edit it, or choose another slug")
    provider_file = catalog / provider_id / "provider.yml"
    provider_name = provider_id.replace("-", " ").title()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not provider_file.exists():
        provider_file.write_text(
            "# yaml-language-server: $schema=../../schemas/provider.schema.json\n"
            f"name: {provider_name}\nurl: https://example.org\ncountry: US              # ISO 3166-1 alpha-2 code or English name\n"
            "description: One or two sentences about the provider.\nmaintainers: []          # repository handles allowed to change this folder\n",
            encoding="utf-8")
        click.echo(f"wrote {provider_file}")
    shown_title = title or slug.replace("-", " ").capitalize()
    target.write_text(TEMPLATE.format(title=json.dumps(shown_title, ensure_ascii=False), slug=slug,
                                      provider_name=json.dumps(provider_name), today=resolve_as_of(as_of)), encoding="utf-8")
    click.echo(f"wrote {target}\nnext: fill it in, then run: credcat validate {target}")


@main.command()
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("schemas"), show_default=True,
              help="Where to write credential.schema.json and provider.schema.json.")
@click.option("--check", is_flag=True, help="Do not write; exit 1 if the files there are not current.")
def schema(out: Path, check: bool) -> None:
    """Write the JSON Schemas (draft 2020-12) of the records providers write."""
    from .schema import json_schema

    stale = []
    for kind in ("credential", "provider"):
        target = out / f"{kind}.schema.json"
        text = dumps(json_schema(kind))  # type: ignore[arg-type]
        if check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(str(target))
            continue
        out.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        click.echo(f"wrote {target}")
    if stale:
        click.echo(f"out of date: {', '.join(stale)}; run: credcat schema --out {out}", err=True)
        sys.exit(1)


@main.command()
@CATALOG_OPTION
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=Path(".github/CODEOWNERS"),
              show_default=True, help="The CODEOWNERS file to write.")
@click.option("--check", is_flag=True, help="Do not write; exit 1 if the file is not current.")
@AS_OF_OPTION
def codeowners(catalog: Path, out: Path, check: bool, as_of: str | None) -> None:
    """Generate CODEOWNERS lines from each provider's maintainers."""
    from .codeowners import render_codeowners

    reader = _open_reader(catalog, resolve_as_of(as_of))
    text = render_codeowners(reader, catalog)
    if check:
        current = out.read_text(encoding="utf-8") if out.is_file() else ""
        if current != text:
            click.echo(f"{out} is out of date; run: credcat codeowners --out {out}", err=True)
            sys.exit(1)
        click.echo(f"{out} is current.")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}")


from .build_cli import build as _build_command, serve as _serve_command  # noqa: E402 (they import this module)

main.add_command(_build_command)
main.add_command(_serve_command)
from .import_cli import import_command as _import_command  # noqa: E402
main.add_command(_import_command)


def run() -> None:
    """The `credcat` program: `main`, then out at once, without the interpreter's teardown.

    At exit the interpreter collects and frees, one by one, every object still alive; after a
    build of 100,000 records (millions of objects) that took 1.5-4.6 s, longer than the rest of
    an incremental build's own stages but one. Every file a command writes is closed before
    `main` returns, so only the standard streams and the log are flushed here. An uncaught
    exception (a bug) still goes through the interpreter's usual exit, traceback and all.
    """
    try:
        main()
        status: object = 0
    except SystemExit as exc:
        status = exc.code
    if status is None:
        status = 0
    elif not isinstance(status, int):
        print(status, file=sys.stderr)
        status = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe, say
            pass
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    run()
