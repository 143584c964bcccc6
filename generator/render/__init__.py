"""Render stage: the catalog's own pages (credentials, providers, skills, browse, stats, compare, search).

Each page is a compiled Jinja2 template from theme/templates rendered straight to HTML and wrapped
in Material's chrome by the Shell: no Markdown, no MkDocs page objects, nothing in the nav.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Callable

import jinja2

from ..catalog import Catalog
from ..config import Config
from ..jsonld import script_json
from ..seal import BAND_LABELS
from . import format as fmt
from .pages import PageSpec, all_pages, browse_groups
from .shell import Shell

THEME_DIR = Path(__file__).resolve().parents[2] / "theme"
TEMPLATES_DIR = THEME_DIR / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment for theme/templates: autoescaped, strict about undefined names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.filters.update(
        duration=fmt.duration, workload=fmt.workload, level=fmt.level, cost=fmt.cost, assessment=fmt.assessment,
        language=fmt.language_name, country=fmt.country_name, long_date=fmt.long_date, type_label=fmt.type_label,
        safe_url=fmt.safe_url, number=fmt.number)
    env.globals.update(band_labels=BAND_LABELS, participation_labels=fmt.PARTICIPATION_LABELS,
                       audience_labels=fmt.AUDIENCE_LABELS, title_lang=fmt.title_lang)
    return env


@dataclass
class RenderResult:
    """What the render stage wrote."""

    pages: int = 0
    credentials: int = 0


def head_html(spec: PageSpec, config: Config, base: str) -> str:
    """A page's own <head> tags: canonical URL, Open Graph, neighbours, JSON-LD.

    No <link rel="alternate"> to the JSON: Material's bundle takes every alternate link for a
    translation and fetches a sitemap.xml beside it.
    """
    url = escape(config.url(spec.path), quote=True)
    title = escape(spec.name, quote=True)
    lines = [
        f'<link rel="canonical" href="{url}">',
        '<meta property="og:type" content="website">',
        f'<meta property="og:site_name" content="{escape(config.site_name, quote=True)}">',
        f'<meta property="og:title" content="{title}">',
        f'<meta property="og:description" content="{escape(spec.description, quote=True)}">',
        f'<meta property="og:url" content="{url}">',
    ]
    if spec.prev is not None:
        lines.append(f'<link rel="prev" href="{base}{spec.prev}">')
    if spec.next is not None:
        lines.append(f'<link rel="next" href="{base}{spec.next}">')
    if spec.jsonld is not None:
        lines.append(f'<script type="application/ld+json">{script_json(spec.jsonld)}</script>')
    return "\n".join(lines)


def render_page(spec: PageSpec, shell: Shell, config: Config, env: jinja2.Environment | None = None) -> str:
    """One page as a whole HTML document."""
    env = env or environment()
    base = "../" * spec.depth
    body = env.get_template(spec.template).render(base=base, page=spec, config=config, **spec.context)
    return shell.render(
        depth=spec.depth, title=f"{spec.name} - {config.site_name}", name=spec.name, description=spec.description,
        head=head_html(spec, config, base), content=f'<div id="credcat-main" class="credcat" tabindex="-1">\n{body}</div>')


def render_pages(catalog: Catalog, config: Config, shell: Shell, out: Path,
                 advance: Callable[[int], None] | None = None) -> RenderResult:
    """Write every catalog page into `out`; `advance(n)` is told about each credential page done."""
    env = environment()
    result = RenderResult()
    for spec in all_pages(catalog, config):
        target = out / spec.path / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_page(spec, shell, config, env), encoding="utf-8")
        result.pages += 1
        if spec.template == "credential.html":
            result.credentials += 1
            if advance is not None:
                advance(1)
    return result


def home_block(catalog: Catalog, config: Config, base: str = "") -> str:
    """The home page's catalog block: counts, browse entry points and a search box."""
    skills = catalog.skills_used
    counts = {"credentials": len(catalog.credentials), "providers": len(catalog.providers),
              "technical": sum(1 for s in skills if s.kind == "technical"),
              "power": sum(1 for s in skills if s.kind == "power")}
    return environment().get_template("home.html").render(
        base=base, config=config, counts=counts, groups=browse_groups(catalog))
