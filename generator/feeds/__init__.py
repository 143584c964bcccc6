"""Feeds stage: the static JSON API under site/api/v1/ for aggregators, registries and job boards.

`write_feeds` is the table of contents: one streaming pass over the catalog (in id order, in fixed
chunks that may run on several processes: see chunks.py) writes each credential's document and
exports, feeds the bulk dumps and the paged lists, and merge-joins the catalog with the previous
build's change state; then the change feed, the provider and skill documents, and the
self-description (schemas, JSON-LD context, OpenAPI, index.json) follow.
Memory holds a few chunks' results and one page at a time, plus the list of this build's changes.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..cache import Fingerprints, ResultStore, digest
from ..outputs import OutputReuse
from ..catalog import Catalog
from ..config import Config
from ..model import Credential
from . import paths
from .changes import ChangeTracker, FeedResult, PreviousBuildError, resolve_previous, write_changes_meta, write_feed
from .chunks import BULK_CREDENTIALS, ChunkResult, chunk_files, feed_chunks
from .documents import credential_document, index_document, list_page, provider_document, provider_summary, skills_document
from .paths import credential_api_path, credential_page_path
from .writer import GzipLines, GzipMembers, Pager, write_json

__all__ = ["write_feeds", "credential_document", "credential_api_path", "credential_page_path", "write_json",
           "FeedsReport", "PreviousBuildError"]


@dataclass
class FeedsReport:
    """What the feeds stage wrote, for logs and benchmarks."""

    credentials: int
    credential_pages: int
    providers: int
    feed: FeedResult


class _ProviderLists:
    """Per-provider credential pages and documents, written as the id-ordered pass moves through providers.

    Ids sort as '<provider>/<slug>', so each provider's credentials arrive together and one pager
    at a time is open.
    """

    def __init__(self, catalog: Catalog, config: Config, out: Path):
        self.catalog, self.config, self.out = catalog, config, out
        self.counts: dict[str, int] = {}
        self._current: str | None = None
        self._pager: Pager | None = None
        self._creds: list[Credential] = []

    def _open(self, pid: str) -> None:
        total = len(self.catalog.by_provider.get(pid, ()))
        size = self.config.api_page_size

        def render(n: int, items: list, has_next: bool) -> tuple[str, dict]:
            return paths.provider_credentials_page(pid, n), list_page(
                self.config, "provider-credentials", n, items, has_next,
                lambda k: paths.provider_credentials_page(pid, k), total, size, {"provider": pid})

        self._current, self._pager, self._creds = pid, Pager(self.out, size, render), []

    def _close(self) -> None:
        if self._current is None or self._pager is None:
            return
        self._pager.close()
        provider = self.catalog.providers[self._current]
        write_json(self.out / paths.provider_api_path(self._current), provider_document(provider, self._creds, self.config))
        self.counts[self._current] = len(self._creds)
        self._current = None

    def add(self, cred: Credential, summary: dict) -> None:
        """Add a credential's list entry to its provider's pages, switching provider when the id prefix changes."""
        if cred.provider.id != self._current:
            self._close()
            self._open(cred.provider.id)
        assert self._pager is not None
        self._pager.add(summary)
        self._creds.append(cred)

    def finish(self) -> dict[str, int]:
        """Close the last provider, then give providers without credentials their (empty) documents too."""
        self._close()
        for pid in self.catalog.providers:
            if pid not in self.counts:
                self._open(pid)
                self._close()
        return self.counts


def write_feeds(catalog: Catalog, config: Config, out: Path, advance: Callable[[int], None] | None = None,
                jobs: int | None = None, reuse: OutputReuse | None = None, key: bytes = b"",
                results: ResultStore | None = None) -> FeedsReport:
    """Write the API documents for the catalog into `out` (the site folder being built).

    The per-credential work runs in `jobs` processes (default: one per CPU) for large catalogs;
    `advance(n)` is told as credentials are done. The output is the same bytes whatever `jobs` is.
    With the build cache (`reuse`, `results`, the global `key`), a chunk whose records and reverse
    links are unchanged takes its result from the last build and its files are kept, not made.
    """
    from ..exports import EXPORTERS

    # The previous build first: an unreadable --previous must stop the build before anything is written.
    previous = resolve_previous(config, out)
    total = len(catalog.credentials)
    page_size = config.api_page_size
    credential_pages = Pager(out, page_size, lambda n, items, has_next: (paths.credential_list_page(n), list_page(
        config, "credentials", n, items, has_next, paths.credential_list_page, total, page_size)))
    providers = _ProviderLists(catalog, config, out)
    bulk = {BULK_CREDENTIALS: GzipMembers(out / paths.BULK_CREDENTIALS),
            **{fmt: GzipMembers(out / paths.bulk_export_path(fmt)) for fmt in EXPORTERS}}
    tracker = ChangeTracker(catalog.as_of, previous, GzipLines(out / paths.CHANGES_STATE))

    # One pass in id order. Each chunk of credentials writes its documents and exports and turns
    # each record into JSON once (on another process when the catalog is large); here its list
    # entries, bulk members and hashes are joined in order to the pages, bulk files and change state.
    cached = _ChunkCache(catalog, config, key, reuse, results) if reuse is not None and results is not None else None
    for (start, stop), result, made in feed_chunks(catalog, config, str(out), jobs or os.cpu_count() or 1,
                                                   cached.reused if cached is not None else None):
        if cached is not None and made:
            cached.made((start, stop), result)
        for name, member in result.bulk.items():
            bulk[name].write(member)
        for cred, content_hash, summary in zip(catalog.credentials[start:stop], result.hashes, result.summaries):
            tracker.see(cred, content_hash)
            credential_pages.add(summary)
            providers.add(cred, summary)
        if advance is not None and stop > start:
            advance(stop - start)
    pages = credential_pages.close()
    for stream in bulk.values():
        stream.close()
    tracker.state_out.close()
    counts = providers.finish()

    # Lists of providers and skills: small (one line per provider or taxonomy skill), after the pass.
    provider_pager = Pager(out, page_size, lambda n, items, has_next: (paths.provider_list_page(n), list_page(
        config, "providers", n, items, has_next, paths.provider_list_page, len(catalog.providers), page_size)))
    for pid, provider in catalog.providers.items():
        provider_pager.add(provider_summary(provider, counts.get(pid, 0), config))
    provider_pages = provider_pager.close()
    write_json(out / paths.SKILLS, skills_document(catalog, config))

    # The change feed after the pass: only now are all removals known and the changes sorted by date.
    changes = tracker.finish()
    feed = write_feed(config, out, changes, previous)
    write_changes_meta(config, out, catalog.as_of, feed, total)

    # Self-description last, so index.json can state the feed's head and every count.
    write_self_description(config, out)
    feed_summary = {"sequence": feed.sequence, "items": feed.items, "pages": feed.pages, "head": feed.head,
                    "this_build": feed.changes}
    write_json(out / paths.INDEX, index_document(catalog, config, pages, provider_pages, feed_summary))
    return FeedsReport(total, pages, len(catalog.providers), feed)


class _ChunkCache:
    """Chunks of the last build reused whole: their result from the result store, their files kept."""

    def __init__(self, catalog: Catalog, config: Config, key: bytes, reuse: OutputReuse, results: ResultStore):
        self.catalog, self.config, self.key, self.reuse, self.results = catalog, config, key, reuse, results
        self.fingerprints = Fingerprints(catalog.fingerprints)

    def signature(self, chunk: tuple[int, int]) -> bytes:
        """What a chunk is made of: its records and the reverse links their documents list."""
        parts = [self.key, b"feeds"]
        for cred in self.catalog.credentials[chunk[0]:chunk[1]]:
            parts += [self.fingerprints.of(cred), "|".join(self.catalog.part_of_reverse.get(cred.id, ())),
                      "|".join(self.catalog.leads_to_reverse.get(cred.id, ()))]
        return digest(*parts)

    def reused(self, chunk: tuple[int, int]) -> ChunkResult | None:
        signature = self.signature(chunk)
        result = self.results.get(signature)
        if result is None:
            return None
        linked = self.reuse.keep_all(chunk_files(self.catalog.credentials[chunk[0]:chunk[1]], self.config), signature)
        if linked is None:
            return None
        self.reuse.merge(linked)
        return result

    def made(self, chunk: tuple[int, int], result: ChunkResult) -> None:
        signature = self.signature(chunk)
        self.results.put(signature, result)
        self.reuse.merge((rel, signature) for rel in chunk_files(self.catalog.credentials[chunk[0]:chunk[1]], self.config))


def write_self_description(config: Config, out: Path) -> None:
    """Schemas, JSON-LD contexts, the schema index and the OpenAPI document (same for every catalog)."""
    from .context import api_context, ob3_extension_context
    from .openapi import openapi_document
    from .schemas import BUILDERS, json_schema, schema_index

    for name in BUILDERS:
        write_json(out / paths.schema_path(name), json_schema(name, config))
    write_json(out / paths.SCHEMA_INDEX, schema_index(config))
    write_json(out / paths.CONTEXT, api_context())
    write_json(out / paths.OB3_CONTEXT, ob3_extension_context())
    write_json(out / paths.OPENAPI, openapi_document(config))
