"""Search stage: the sharded full-text and facet index under site/search/ (see issue 4).

`write_search_index` writes search/index/ (see index.py for the format) and copies the browser
side: search.js and search.css from theme/search/, and lunr.js with the lunr-languages files the
catalog's languages need, taken from the installed mkdocs package (MIT licensed; their licence
headers are kept). The search page's content comes from page.py.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..cache import ResultStore, digest
from ..catalog import Catalog
from ..config import Config
from .page import search_page_body, search_scripts, search_styles

if TYPE_CHECKING:
    from ..outputs import OutputReuse
    from .build import IndexReport

__all__ = ["write_search_index", "search_page_body", "search_scripts", "search_styles"]

THEME = Path(__file__).resolve().parents[2] / "theme" / "search"
ASSETS = ("search.js", "search-ui.js", "search.css")


def write_search_index(catalog: Catalog, config: Config, out: Path, advance: Callable[[int], None] | None = None,
                       reuse: OutputReuse | None = None, key: bytes = b"", jobs: int | None = None) -> IndexReport:
    """Write the search index for `catalog` into `out` (the site folder being built).

    `advance(k)` is called as each k credentials are indexed; the calls add up to the number of
    credentials (the first pass; the shorter second pass, over the vocabulary, is not reported).
    `jobs`: the processes to split the work over (default: as build_index decides).
    With `reuse` (and the build's global `key`), what the last build made from the same inputs is
    kept: tokenized chunks and term files come from the result store `search.sqlite` in the cache
    folder, and unchanged files stay in the site (every file the stage makes is told to `reuse`).
    """
    # Imported here: lunr brings in nltk (a third of a second), which a build whose search stage runs in a
    # forked process (build.Beside), or a page needing only search_page_body, never has to wait for.
    from .build import build_index

    search_dir = out / "search"
    search_dir.mkdir(parents=True, exist_ok=True)
    results = ResultStore(config.cache_dir, "search", clean=not reuse.old) if reuse is not None else None
    try:
        report = build_index(catalog, config, search_dir, jobs=jobs, advance=advance, reuse=reuse, key=key,
                             results=results)
        if results is not None:
            results.commit()
    finally:
        if results is not None:
            results.close()
    langs = report.meta["langs"].values()
    assets = copy_assets(search_dir, [lang["js"] for lang in langs if lang["js"]], reuse, key)
    if reuse is not None:
        reuse.merge(report.outputs + assets)
    return report


def copy_assets(search_dir: Path, lunr_languages: list[str], reuse: OutputReuse | None = None,
                key: bytes = b"") -> list[tuple[str, object]]:
    """Copy search.js, search.css, lunr.js and the needed lunr-languages files into search_dir.

    With `reuse`, a file the site has from the same source is kept instead; returns (site path,
    kept entry or signature) of each file for `reuse`.
    """
    from .text import LUNR_JS, LUNR_LANG_DIR

    sources = [(name, THEME / name) for name in ASSETS] + [("lunr.js", LUNR_JS)]
    if lunr_languages:
        sources.append(("lunr.stemmer.support.js", LUNR_LANG_DIR / "lunr.stemmer.support.js"))
    sources += [(f"lunr.{code}.js", LUNR_LANG_DIR / f"lunr.{code}.js") for code in sorted(set(lunr_languages))]
    outputs: list[tuple[str, object]] = []
    for name, source in sources:
        if reuse is not None:
            rel = f"search/{name}"
            signature = digest(key, rel, source.read_bytes())
            entry = reuse.keep(rel, signature)
            outputs.append((rel, entry if entry is not None else signature))
            if entry is not None:
                continue
        shutil.copyfile(source, search_dir / name)
    return outputs
