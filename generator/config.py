"""The build's settings: read from site_config.yml (MkDocs configuration plus the `credcat` plugin's options).

`Config` is the one typed value every stage reads. MkDocs keys (site_name, site_url, theme...)
keep their MkDocs meaning; the catalog's own settings live under `plugins: - credcat: {...}`
and are checked by the plugin's config scheme (plugin.py) with MkDocs' own error messages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_FACETS = ("type", "provider", "skill", "level", "participation", "language", "cost", "workload", "seal")
ALL_FACETS = DEFAULT_FACETS


@dataclass(frozen=True)
class Config:
    """Everything a build needs to know besides the catalog itself."""

    site_name: str = "credcat"
    site_url: str = "https://credcat.example/"  # always ends with '/'
    site_description: str = "An open catalog of micro-credentials."
    catalog: Path = Path("catalog")
    site_dir: Path = Path("site")
    config_file: Path | None = None
    as_of: str = "2026-01-01"  # YYYY-MM-DD freshness is judged against
    facets: tuple[str, ...] = DEFAULT_FACETS
    licence: str = "CC-BY-4.0"  # SPDX id of the catalog data's licence, published in the API
    licence_url: str = "https://creativecommons.org/licenses/by/4.0/"
    api_page_size: int = 500  # credentials per page of /api/v1/credentials/
    feed_page_size: int = 100  # items per page of the change feed
    previous: str | None = None  # the published site (folder or URL) the change feed compares with; default: site_dir
    api_exports: bool = True  # per-credential CTDL, OB3 and schema.org files under api/v1/<format>/ (bulk files always)
    browse_page_size: int = 100  # credentials per page of provider, skill and browse lists
    strict: bool = False  # warnings fail the build
    cache_dir: Path = Path(".credcat-cache")  # the incremental build's cache (cache.py)
    extra: dict = field(default_factory=dict)

    def url(self, path: str) -> str:
        """An absolute URL for a site-relative path ('credentials/ibm/x/')."""
        return self.site_url + path.lstrip("/")
