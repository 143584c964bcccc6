"""Helpers for the search tests: build the index for a catalog and a minimal site around it."""
from __future__ import annotations

import html
from pathlib import Path

from generator.catalog import Catalog, read_catalog
from generator.config import Config
from generator.search import search_page_body, search_scripts, search_styles, write_search_index

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-06-01"
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"


def bundled_catalog() -> Catalog:
    """The bundled catalog, read as the build reads it."""
    return read_catalog(REPO / "catalog", AS_OF)


def page(title: str, body: str, depth: int, scripts: list[str] = (), styles: list[str] = ()) -> str:
    """A bare page under a strict CSP: what the site shell gives, minus the chrome."""
    up = "../" * depth
    links = "".join(f'<link rel="stylesheet" href="{up}{s}">' for s in styles)
    tags = "".join(f'<script src="{up}{s}"></script>' for s in scripts)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f'<title>{html.escape(title)}</title>{links}</head><body>'
            f'<header><form action="{up}search/" method="get"><input name="q" aria-label="Search"></form></header>'
            f'<main>{body}</main>{tags}</body></html>')


def assemble_site(catalog: Catalog, out: Path, config: Config | None = None) -> Path:
    """The search index plus a minimal search page, credential pages and compare page."""
    write_search_index(catalog, config or Config(), out)
    shell = ('<h1>Search</h1><div id="credcat-search"><form class="credcat-search-box" action="./" method="get">'
             '<input name="q" aria-label="Search"></form>' + search_page_body() + "</div>")
    (out / "search" / "index.html").write_text(page("Search", shell, 1, search_scripts(), search_styles()), encoding="utf-8")
    for cred in catalog.credentials:
        target = out / "credentials" / cred.id / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page(cred.name, f"<h1>{html.escape(cred.name)}</h1>", 3), encoding="utf-8")
    (out / "compare").mkdir(exist_ok=True)
    (out / "compare" / "index.html").write_text(page("Compare", "<h1>Compare</h1>", 1), encoding="utf-8")
    return out
