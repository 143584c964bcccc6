"""Sitemap stage: sitemap.xml (an index of parts past 50,000 URLs), its gzip copy, and robots.txt.

Runs last, over the folder being built, so it lists every page any stage wrote. Deterministic:
URLs sorted, a credential's lastmod is its last_verified date (never the build time), and the
gzip copy carries no timestamp or file name.
"""
from __future__ import annotations

import gzip
import io
from pathlib import Path
from xml.sax.saxutils import escape

from .catalog import Catalog
from .config import Config

MAX_URLS = 50_000  # the sitemap protocol's limit per file
SKIP = {"404.html"}


def page_paths(out: Path) -> list[str]:
    """Site-relative URL paths of every HTML page under `out` ('' for the home page), sorted."""
    found = []
    for html in out.rglob("*.html"):
        rel = html.relative_to(out).as_posix()
        if rel in SKIP or any(part.startswith(".") for part in html.relative_to(out).parts):
            continue
        found.append(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return sorted(found)


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


def write_sitemap(catalog: Catalog, config: Config, out: Path) -> int:
    """Write sitemap.xml (+ .gz) and robots.txt for the site in `out`; return the number of URLs."""
    lastmod = {f"credentials/{c.id}/": c.last_verified for c in catalog.credentials}
    entries = [(config.url(path), lastmod.get(path)) for path in page_paths(out)]
    for stale in out.glob("sitemap*.xml*"):
        stale.unlink()
    if len(entries) <= MAX_URLS:
        text = _urlset(entries)
    else:
        parts = [entries[i: i + MAX_URLS] for i in range(0, len(entries), MAX_URLS)]
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        for n, part in enumerate(parts, 1):
            (out / f"sitemap-{n}.xml").write_text(_urlset(part), encoding="utf-8")
            lines.append(f"<sitemap><loc>{escape(config.url(f'sitemap-{n}.xml'))}</loc></sitemap>")
        lines.append("</sitemapindex>\n")
        text = "\n".join(lines)
    (out / "sitemap.xml").write_text(text, encoding="utf-8")
    (out / "sitemap.xml.gz").write_bytes(_gzip(text))
    (out / "robots.txt").write_text(f"User-agent: *\nAllow: /\n\nSitemap: {config.url('sitemap.xml')}\n", encoding="utf-8")
    return len(entries)
