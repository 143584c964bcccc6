"""Sitemap stage: sitemap.xml (an index of parts past 50,000 URLs), its gzip copy, and robots.txt.

Runs last, so it lists every page any stage wrote: the build hands it the pages it made or kept
(an incremental build's folder holds only the files that changed); without that list it walks the
folder. Deterministic:
URLs sorted, a credential's lastmod is its last_verified date (never the build time), and the
gzip copy carries no timestamp or file name.
"""
from __future__ import annotations

import gzip
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from .catalog import Catalog
from .config import Config

if TYPE_CHECKING:
    from .outputs import OutputReuse

MAX_URLS = 50_000  # the sitemap protocol's limit per file
SKIP = {"404.html"}


def page_paths(out: Path) -> list[str]:
    """Site-relative URL paths of every HTML page under `out` ('' for the home page), sorted."""
    found = []
    root = str(out)
    cut = len(root) + 1
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(".html"):
                found.append(os.path.join(folder, name)[cut:].replace(os.sep, "/"))
    return sorted(rel[: -len("index.html")] if rel.endswith("index.html") else rel for rel in found if rel not in SKIP)


def _urlset(entries: list[tuple[str, str | None]]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, lastmod in entries:
        lines.append(f"<url><loc>{escape(loc)}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines)


def _gzip(text: str) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def write_sitemap(catalog: Catalog, config: Config, out: Path, pages: list[str] | None = None,
                  reuse: OutputReuse | None = None) -> int:
    """Write sitemap.xml (+ .gz, + parts) and robots.txt into `out`; return the number of URLs.

    `pages`: the site's HTML pages, as OutputReuse.page_paths gives them (default: walk `out`).
    With `reuse`, a file with the same text as the last build's is kept, not written.
    """
    if pages is None:
        pages = page_paths(out)
        for stale in out.glob("sitemap*.xml*"):
            stale.unlink()
    lastmod = {f"credentials/{c.id}/": c.last_verified for c in catalog.credentials}
    url = config.url
    # (no part of the path hidden: none starts with a dot)
    entries = [(url(path), lastmod.get(path)) for path in pages
               if path not in SKIP and not path.startswith(".") and "/." not in path]
    files: dict[str, str] = {}
    if len(entries) <= MAX_URLS:
        text = _urlset(entries)
    else:
        parts = [entries[i: i + MAX_URLS] for i in range(0, len(entries), MAX_URLS)]
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        for n, part in enumerate(parts, 1):
            files[f"sitemap-{n}.xml"] = _urlset(part)
            lines.append(f"<sitemap><loc>{escape(config.url(f'sitemap-{n}.xml'))}</loc></sitemap>")
        lines.append("</sitemapindex>\n")
        text = "\n".join(lines)
    files["sitemap.xml"] = text
    files["robots.txt"] = f"User-agent: *\nAllow: /\n\nSitemap: {config.url('sitemap.xml')}\n"
    for rel, content in files.items():
        if reuse is None or not reuse.keep_text(rel, content):
            (out / rel).write_text(content, encoding="utf-8")
    if reuse is None or not reuse.keep_text("sitemap.xml.gz", text, b"gzip"):
        (out / "sitemap.xml.gz").write_bytes(_gzip(text))
    return len(entries)
