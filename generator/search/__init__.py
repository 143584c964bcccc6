"""Search stage: the sharded full-text and facet index under site/search/ (see issue 4)."""
from __future__ import annotations

from pathlib import Path

from ..catalog import Catalog
from ..config import Config


def write_search_index(catalog: Catalog, config: Config, out: Path) -> None:
    """Write the search index for `catalog` into `out` (the site folder being built)."""
    return None
