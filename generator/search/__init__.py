"""Search stage: the sharded full-text and facet index under site/search/ (see issue 4).

`write_search_index` writes search/index/ (see index.py for the format) and copies the browser
side: search.js and search.css from theme/search/, and lunr.js with the lunr-languages files the
catalog's languages need, taken from the installed mkdocs package (MIT licensed; their licence
headers are kept). The search page's content comes from page.py.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

from ..catalog import Catalog
from ..config import Config
from .index import build_index
from .page import search_page_body, search_scripts, search_styles
from .text import LUNR_JS, LUNR_LANG_DIR

__all__ = ["write_search_index", "search_page_body", "search_scripts", "search_styles"]

THEME = Path(__file__).resolve().parents[2] / "theme" / "search"
ASSETS = ("search.js", "search-ui.js", "search.css")


def write_search_index(catalog: Catalog, config: Config, out: Path,
                       advance: Callable[[int], None] | None = None) -> None:
    """Write the search index for `catalog` into `out` (the site folder being built).

    `advance(k)` is called as each k credentials are indexed; the calls add up to the number of
    credentials (the first pass; the shorter second pass, over the vocabulary, is not reported).
    """
    search_dir = out / "search"
    search_dir.mkdir(parents=True, exist_ok=True)
    meta = build_index(catalog, config, search_dir, advance=advance)
    copy_assets(search_dir, [lang["js"] for lang in meta["langs"].values() if lang["js"]])


def copy_assets(search_dir: Path, lunr_languages: list[str]) -> None:
    """Copy search.js, search.css, lunr.js and the needed lunr-languages files into search_dir."""
    for name in ASSETS:
        shutil.copyfile(THEME / name, search_dir / name)
    shutil.copyfile(LUNR_JS, search_dir / "lunr.js")
    if lunr_languages:
        shutil.copyfile(LUNR_LANG_DIR / "lunr.stemmer.support.js", search_dir / "lunr.stemmer.support.js")
    for code in sorted(set(lunr_languages)):
        shutil.copyfile(LUNR_LANG_DIR / f"lunr.{code}.js", search_dir / f"lunr.{code}.js")
