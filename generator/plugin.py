"""The `credcat` MkDocs plugin: the catalog's settings, the page shell, and the catalog stages under `mkdocs build`.

`credcat build` drives MkDocs with this plugin already holding the catalog (`prepare`), so the
plugin only renders the narrative pages and captures the shell. Under a plain
`mkdocs build -f site_config.yml` the plugin reads the catalog itself and, after MkDocs has
written the narrative site, runs the same catalog stages (`build.write_catalog_site`) into it.
"""
from __future__ import annotations

import logging
import os
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from .catalog import Catalog
from .config import ALL_FACETS, DEFAULT_FACETS, Config
from .render.shell import SHELL_MARKDOWN, SHELL_URI, Shell

if TYPE_CHECKING:
    import jinja2

log = logging.getLogger("mkdocs.plugins.credcat")

HOME_MARKER = "<!-- credcat:home -->"
SEAL_MARKER = "<!-- credcat:seal-elements -->"  # the seal's elements and bands, worded by seal.py
INCLUDE = re.compile(r"<!-- credcat:include (?P<path>[\w./-]+) -->")  # a repository file, e.g. CONTRIBUTING.md


class IsoDate(c.OptionallyRequired[str]):
    """A YYYY-MM-DD date (YAML may hand it over already parsed as a date)."""

    def run_validation(self, value: object) -> str:
        """The date as YYYY-MM-DD, or a ValidationError."""
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        raise base.ValidationError(f"expected a date as YYYY-MM-DD, got {value!r}")


class PositiveInt(c.OptionallyRequired[int]):
    """A whole number of at least 1."""

    def run_validation(self, value: object) -> int:
        """The number, or a ValidationError."""
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise base.ValidationError(f"expected a whole number of at least 1, got {value!r}")
        return value


class CredcatPluginConfig(base.Config):
    """The `plugins: - credcat:` options: the fields of generator.config.Config a site may set."""

    catalog = c.Type(str, default="catalog")
    as_of = c.Optional(IsoDate())
    facets = c.ListOfItems(c.Choice(ALL_FACETS), default=list(DEFAULT_FACETS))
    licence = c.Type(str, default=Config.licence)
    licence_url = c.URL(default=Config.licence_url)
    api_page_size = PositiveInt(default=Config.api_page_size)
    feed_page_size = PositiveInt(default=Config.feed_page_size)
    browse_page_size = PositiveInt(default=Config.browse_page_size)
    previous = c.Optional(c.Type(str))
    api_exports = c.Type(bool, default=Config.api_exports)
    cache_dir = c.Type(str, default=str(Config.cache_dir))


def settings_from(mk: MkDocsConfig, options: CredcatPluginConfig, *, catalog: Path | None = None,
                  as_of: str | None = None, strict: bool | None = None) -> Config:
    """The build's Config from a validated MkDocs config; CLI values (when given) win over the file."""
    from .cli import resolve_as_of

    root = Path(mk.config_file_path).parent if mk.config_file_path else Path.cwd()
    site_url = mk.site_url or Config.site_url
    if not site_url.endswith("/"):
        site_url += "/"
    return Config(
        site_name=mk.site_name, site_url=site_url,
        site_description=mk.site_description or Config.site_description,
        catalog=catalog if catalog is not None else root / options.catalog,
        site_dir=Path(mk.site_dir),
        config_file=Path(mk.config_file_path) if mk.config_file_path else None,
        as_of=resolve_as_of(as_of or options.as_of),
        facets=tuple(options.facets), licence=options.licence, licence_url=options.licence_url,
        api_page_size=options.api_page_size, feed_page_size=options.feed_page_size,
        browse_page_size=options.browse_page_size,
        previous=options.previous, api_exports=options.api_exports, cache_dir=cache_dir_for(root, options.cache_dir),
        strict=bool(mk.strict) if strict is None else strict,
    )


def cache_dir_for(root: Path, configured: str) -> Path:
    """$CREDCAT_CACHE_DIR when set (CI caches, test isolation), else the config's cache_dir beside the config file."""
    override = os.environ.get("CREDCAT_CACHE_DIR")
    return Path(override) if override else root / configured


class CredcatPlugin(BasePlugin[CredcatPluginConfig]):
    """Adds the shell page, fills the home page's catalog block, and (under `mkdocs build`) builds the catalog pages."""

    def __init__(self) -> None:
        self.settings: Config | None = None
        self.catalog: Catalog | None = None
        self.shell: Shell | None = None
        self.driven = False  # True when `credcat build` runs the catalog stages itself
        self.command = "build"
        self.templates: Path | None = None  # where compiled templates are kept (prepare), or None

    def prepare(self, settings: Config, catalog: Catalog, templates: Path | None = None) -> None:
        """Hand over an already-read catalog: `credcat build` runs the catalog stages itself.

        `templates`: a folder of the build cache to keep MkDocs' compiled templates in (on_env)."""
        self.settings, self.catalog, self.driven = settings, catalog, True
        self.templates = templates

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember whether MkDocs builds or serves."""
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Under plain `mkdocs build`, read the settings and the catalog (abort on catalog problems)."""
        if self.driven:
            return config
        from .build import load_catalog
        from .errors import CatalogError

        self.settings = settings_from(config, self.config)
        try:
            self.catalog = load_catalog(self.settings)
        except CatalogError as exc:
            for problem in exc.problems:
                log.error(problem.text())
            raise Abort(f"Aborted with {len(exc.problems)} problem(s) in the catalog (run `credcat validate`).") from None
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        """Add the virtual shell page at the site root."""
        shell = File.generated(config, "credcat-shell.md", content=SHELL_MARKDOWN, inclusion=InclusionLevel.NOT_IN_NAV)
        shell.dest_uri = SHELL_URI  # at the root, so its relative links rebase by a plain prefix
        files.append(shell)
        return files

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Fill the include and seal-elements markers of narrative pages."""
        # One source for texts the repository also shows (CONTRIBUTING.md): included, not copied.
        root = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        markdown = INCLUDE.sub(lambda m: (root / m.group("path")).read_text(encoding="utf-8"), markdown)
        return markdown.replace(SEAL_MARKER, seal_elements_markdown())

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Put the catalog block (counts, browse, search) where the home page asks for it."""
        if HOME_MARKER in html and self.catalog is not None and self.settings is not None:
            from .render import home_block

            html = html.replace(HOME_MARKER, home_block(self.catalog, self.settings, base=_base_of(page)))
        return html

    def on_env(self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files) -> jinja2.Environment | None:
        """Under `credcat build`, load the theme's templates compiled from the build cache (render.cache_templates)."""
        if self.templates is not None:
            from .render import cache_templates

            cache_templates(env, self.templates)
        return env

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        """Keep the rendered shell (and write nothing for it); pass other pages through."""
        if page.file.src_uri == "credcat-shell.md":
            self.shell = Shell.from_material(output)
            return ""  # MkDocs skips writing a page whose output is empty
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Under plain `mkdocs build`, run the catalog stages into the built site."""
        if self.driven:
            return
        from .build import write_catalog_site

        assert self.catalog is not None and self.settings is not None and self.shell is not None
        # `mkdocs serve` runs server threads in this process: render in it rather than fork.
        jobs = 1 if self.command == "serve" else None
        write_catalog_site(self.catalog, self.settings, self.shell, Path(config.site_dir), jobs=jobs)


def seal_elements_markdown() -> str:
    """The seal's elements and bands as Markdown tables, in seal.py's own words."""
    from .seal import BAND_LABELS, BANDS, ELEMENTS

    rows = ["| # | element |", "|---|---|", *(f"| {i} | {label} |" for i, (_, label) in enumerate(ELEMENTS, 1))]
    ceilings = [len(ELEMENTS)] + [floor - 1 for floor, _ in BANDS[:-1]]
    bands = ["| band | score |", "|---|---|"]
    for (floor, name), top in zip(BANDS, ceilings):
        bands.append(f"| {BAND_LABELS[name]} | {floor} to {top} |" if top != floor else f"| {BAND_LABELS[name]} | {floor} |")
    return "\n".join(rows) + "\n\n" + "\n".join(bands) + "\n"


def _base_of(page: Page) -> str:
    """The relative prefix from a narrative page to the site root ('' at the root)."""
    depth = page.file.dest_uri.count("/")
    return "../" * depth


def plugin_of(mk: MkDocsConfig) -> CredcatPlugin | None:
    """The credcat plugin instance in a loaded MkDocs config, if enabled."""
    plugin: Any = mk.plugins.get("credcat")
    return plugin if isinstance(plugin, CredcatPlugin) else None
