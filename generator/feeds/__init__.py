"""Feeds stage: the static JSON API under site/api/v1/ for aggregators.

Seed version: one JSON document per credential. The full API (index, pagination, bulk dump,
change feed, schemas, exports) is built on top of `credential_document`.
"""
from __future__ import annotations

import json
from pathlib import Path

from .catalog import Catalog
from .config import Config
from .model import Credential

API = "api/v1"


def credential_page_path(cred: Credential) -> str:
    """The site-relative URL path of a credential's page (stable for life)."""
    return f"credentials/{cred.id}/"


def credential_api_path(cred: Credential) -> str:
    """The site-relative path of a credential's JSON document."""
    return f"{API}/credentials/{cred.id}.json"


def credential_document(cred: Credential, catalog: Catalog, config: Config) -> dict:
    """The per-credential API document: the normalized record, its seal, hash and links."""
    doc = cred.to_json()
    doc["page_url"] = config.url(credential_page_path(cred))
    doc["stackability"]["part_of_reverse"] = catalog.part_of_reverse.get(cred.id, [])
    doc["stackability"]["leads_to_reverse"] = catalog.leads_to_reverse.get(cred.id, [])
    return doc


def write_json(path: Path, value: object) -> None:
    """Write canonical compact JSON (sorted keys, UTF-8) so builds are byte-identical."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")


def write_feeds(catalog: Catalog, config: Config, out: Path) -> None:
    """Write the API documents for the catalog into `out` (the site folder being built)."""
    for cred in catalog.credentials:
        write_json(out / credential_api_path(cred), credential_document(cred, catalog, config))
