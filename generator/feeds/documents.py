"""The JSON documents of the API, each built from the normalized model in one function.

The shapes here are the public contract described by the schemas in `schemas.py` and by
docs/api.md; change them together. Documents link to each other with absolute URLs, so an
aggregator can start at index.json and reach everything without building a URL itself.
"""
from __future__ import annotations

import hashlib
from typing import Any

from ..catalog import Catalog
from ..config import Config
from ..model import Credential, Provider
from . import paths
from .writer import dumps

API_VERSION = "1"


def credential_document(cred: Credential, catalog: Catalog, config: Config) -> dict:
    """The per-credential API document: the normalized record, its seal, hash and links."""
    # Credential.to_json() plus the API's links. Its three additions are made here, with the hash
    # taken from this same content dict first: to_json would build and encode the content again.
    doc = cred.content_json()
    content_hash = "sha256:" + hashlib.sha256(dumps(doc).encode()).hexdigest()
    doc["provider"] = {"id": cred.provider.id, "name": cred.provider.name, "country": cred.provider.country}
    doc["seal"] = cred.seal.to_json() if cred.seal else None
    doc["content_hash"] = content_hash
    doc["@context"] = config.url(paths.CONTEXT)
    doc["page_url"] = config.url(paths.credential_page_path(cred))
    doc["stackability"]["part_of_reverse"] = catalog.part_of_reverse.get(cred.id, [])
    doc["stackability"]["leads_to_reverse"] = catalog.leads_to_reverse.get(cred.id, [])
    doc["links"] = {
        "self": config.url(paths.credential_api_path(cred)),
        "provider": config.url(paths.provider_api_path(cred.provider.id)),
        **{fmt: config.url(paths.export_path(fmt, cred.id)) for fmt in paths.EXPORT_FORMATS},
    }
    return doc


def credential_summary(doc: dict) -> dict:
    """One line of a credential list, taken from the credential's document (no second hash)."""
    seal = doc.get("seal") or {}
    return {
        "id": doc["id"], "title": doc["title"], "type": doc["type"], "status": doc["status"],
        "provider": doc["provider"]["id"], "last_verified": doc["last_verified"],
        "content_hash": doc["content_hash"], "seal": {"score": seal.get("score"), "band": seal.get("band")},
        "url": doc["links"]["self"], "page_url": doc["page_url"],
    }


def _page_links(config: Config, n: int, has_next: bool, path_for, pages: int | None) -> dict:
    links: dict[str, Any] = {"self": config.url(path_for(n)), "first": config.url(path_for(1)),
                             "prev": config.url(path_for(n - 1)) if n > 1 else None,
                             "next": config.url(path_for(n + 1)) if has_next else None}
    if pages is not None:
        links["last"] = config.url(path_for(max(1, pages)))
    return links


def list_page(config: Config, kind: str, n: int, items: list, has_next: bool, path_for,
              total: int, per_page: int, extra: dict | None = None) -> dict:
    """A page of a paginated list: items in id order, with first/prev/next/last links."""
    pages = max(1, -(-total // per_page))
    doc = {"kind": kind, "page": n, "per_page": per_page, "total": total, "pages": pages,
           "items": items, "links": _page_links(config, n, has_next, path_for, pages)}
    if extra:
        doc.update(extra)
    return doc


def provider_document(provider: Provider, creds: list[Credential], config: Config) -> dict:
    """A provider's document: who they are, how many credentials, and where the list of them is."""
    doc = provider.to_json()
    retired = sum(1 for c in creds if c.retired)
    doc.update({
        "@context": config.url(paths.CONTEXT),
        "page_url": config.url(paths.provider_page_path(provider.id)),
        "counts": {"credentials": len(creds), "active": len(creds) - retired, "retired": retired},
        "links": {"self": config.url(paths.provider_api_path(provider.id)),
                  "credentials": config.url(paths.provider_credentials_page(provider.id, 1))},
    })
    return doc


def provider_summary(provider: Provider, count: int, config: Config) -> dict:
    """One line of the provider list."""
    return {"id": provider.id, "name": provider.name, "country": provider.country, "url": provider.url,
            "credentials": count, "document": config.url(paths.provider_api_path(provider.id)),
            "page_url": config.url(paths.provider_page_path(provider.id))}


def skills_document(catalog: Catalog, config: Config) -> dict:
    """Every taxonomy skill with how many credentials name it (the taxonomy is curated, so this stays small)."""
    skills = []
    for sid in sorted(catalog.taxonomy.skills):
        skill = catalog.taxonomy.skills[sid]
        count = len(catalog.by_skill.get(sid, ()))
        entry = skill.to_json()
        entry["credentials"] = count
        entry["page_url"] = config.url(paths.skill_page_path(sid)) if count else None
        skills.append(entry)
    return {"@context": config.url(paths.CONTEXT), "kind": "skills", "total": len(skills), "skills": skills,
            "links": {"self": config.url(paths.SKILLS)}}


def index_document(catalog: Catalog, config: Config, credential_pages: int, provider_pages: int,
                   feed: dict) -> dict:
    """The entry point: what this catalog is, its licence, counts, and links to everything else."""
    retired = sum(1 for c in catalog.credentials if c.retired)
    return {
        "kind": "index",
        "api_version": API_VERSION,
        "name": config.site_name,
        "description": config.site_description,
        "site_url": config.site_url,
        "as_of": catalog.as_of,
        "licence": {"id": config.licence, "url": config.licence_url},
        "counts": {"credentials": len(catalog.credentials), "active": len(catalog.credentials) - retired,
                   "retired": retired, "providers": len(catalog.providers), "skills": len(catalog.taxonomy.skills),
                   "credential_pages": credential_pages, "provider_pages": provider_pages},
        "feed": feed,
        "links": {
            "self": config.url(paths.INDEX),
            "feed": config.url(paths.FEED),
            "credentials": config.url(paths.credential_list_page(1)),
            "providers": config.url(paths.provider_list_page(1)),
            "skills": config.url(paths.SKILLS),
            "bulk": config.url(paths.BULK_CREDENTIALS),
            "bulk_exports": {fmt: config.url(paths.bulk_export_path(fmt)) for fmt in paths.EXPORT_FORMATS},
            "schemas": config.url(paths.SCHEMA_INDEX),
            "context": config.url(paths.CONTEXT),
            "openapi": config.url(paths.OPENAPI),
            "changes": config.url(paths.CHANGES_META),
            "docs": config.url("api/"),
        },
    }
