"""`credcat import`: turn records published in a standard (or a CSV) into catalog YAML, then validate them."""
from __future__ import annotations

from pathlib import Path

import click
import yaml

from .imports import FORMATS, ImportProblem, Target, choose_slug, finish, provider_text, read_file, record_text
from .load import SLUG


def _load_provider(catalog: Path, provider_id: str) -> dict | None:
    for suffix in (".yml", ".yaml"):
        path = catalog / provider_id / f"provider{suffix}"
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError:
                return {}
            return data if isinstance(data, dict) else {}
    return None


def _load_taxonomy(catalog: Path):
    from .errors import Problem
    from .load import LoadError, load_mapping
    from .taxonomy import build_taxonomy

    for suffix in (".yml", ".yaml"):
        path = catalog / "taxonomy" / f"skills{suffix}"
        if path.is_file():
            try:
                found: list[Problem] = []
                return build_taxonomy(load_mapping(path, str(path)), found)
            except LoadError:
                return None
    return None


@click.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(sorted(FORMATS)))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--provider", "provider_id", required=True, metavar="ID",
              help="The provider the records belong to (its folder in the catalog, e.g. ibm).")
@click.option("--catalog", type=click.Path(path_type=Path, file_okay=False), default=Path("catalog"), show_default=True,
              help="The catalog folder: supplies the provider's details and the skills taxonomy, and is validated after.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where to write the records (default: CATALOG/ID/credentials/).")
@click.option("--force", is_flag=True, help="Overwrite record files that already exist.")
@click.option("--dry-run", is_flag=True, help="Print the records instead of writing them.")
@click.pass_context
def import_command(ctx: click.Context, fmt: str, files: tuple[Path, ...], provider_id: str, catalog: Path,
                   out: Path | None, force: bool, dry_run: bool) -> None:
    """Import credentials published as FORMAT (ctdl, ob3, elm or csv) from FILES as commented catalog YAML.

    Every field the format can express is kept; each one that has no place in a credcat record is
    written as a '# not imported: <field>: <value>' comment. Exit status: 0 imported and valid,
    1 some records could not be imported or do not validate, 2 usage error.
    """
    if not SLUG.match(provider_id):
        raise click.BadParameter(f"expected a provider id such as 'ibm' or 'open-university', got '{provider_id}'",
                                 param_hint="--provider")
    out_dir = out or catalog / provider_id / "credentials"
    target = Target(provider_id, out_dir, _load_provider(catalog, provider_id), _load_taxonomy(catalog))
    taken = {p.stem for p in out_dir.glob("*.y*ml")} if out_dir.is_dir() and not force else set()
    failures, written = 0, []
    for path in files:
        try:
            drafts = read_file(fmt, path)
        except ImportProblem as exc:
            click.echo(f"error: {exc}", err=True)
            failures += 1
            continue
        for draft in drafts:
            if target.provider is None and not dry_run:
                made = provider_text(draft.provider, str(path))
                if made is None:
                    click.echo(f"error: {catalog / provider_id / 'provider.yml'} does not exist and {path} does not state the "
                               f"awarding body's name, https home page and country; write provider.yml first "
                               f"(credcat new {provider_id}/<slug> makes one)", err=True)
                    ctx.exit(1)
                provider_file = catalog / provider_id / "provider.yml"
                provider_file.parent.mkdir(parents=True, exist_ok=True)
                provider_file.write_text(made, encoding="utf-8")
                target.provider = _load_provider(catalog, provider_id)
                click.echo(f"wrote {provider_file}")
            try:
                finish(draft, target)
            except ImportProblem as exc:
                click.echo(f"error: {exc}", err=True)
                failures += 1
                continue
            slug = choose_slug(draft, taken)
            text = record_text(draft)
            if dry_run:
                click.echo(f"--- {out_dir / (slug + '.yml')}\n{text}", nl=False)
                continue
            out_dir.mkdir(parents=True, exist_ok=True)
            record = out_dir / f"{slug}.yml"
            record.write_text(text, encoding="utf-8")
            written.append(record)
            click.echo(f"wrote {record} ({len(draft.not_imported)} field{'s' if len(draft.not_imported) != 1 else ''} not imported)")
    if written:
        failures += _validate(catalog, written)
    if failures:
        click.echo(f"Aborted with {failures} problem{'s' if failures != 1 else ''}; fix them and run: credcat validate", err=True)
        ctx.exit(1)
    if written:
        click.echo(f"Imported {len(written)} record{'s' if len(written) != 1 else ''}; they validate. Review the comments in each.")


def _validate(catalog: Path, written: list[Path]) -> int:
    """Check the written files with the catalog's validator; returns the number of errors (warnings are shown)."""
    from .cli import resolve_as_of
    from .errors import UsageError
    from .validate import CatalogReader

    root = catalog.resolve()
    inside = [p for p in written if root in p.resolve().parents]
    if not inside:
        click.echo(f"note: the records were written outside {catalog}; run credcat validate once they are in the catalog")
        return 0
    try:
        reader = CatalogReader(catalog, resolve_as_of(None), {p.resolve() for p in inside})
    except UsageError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    for _ in reader.credentials():
        pass
    mine = {str(p) for p in inside} | {reader.display(p) for p in inside}
    shown = [p for p in reader.problems.sorted() if p.path in mine or p.path.endswith("provider.yml")]
    for problem in shown:
        click.echo(problem.text(), err=True)
    return sum(1 for p in shown if p.severity == "error")
