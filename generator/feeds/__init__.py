"""Feeds stage: the static JSON API under site/api/v1/ for aggregators, registries and job boards.

`write_feeds` is the table of contents: one streaming pass over the catalog (in id order, in fixed
chunks that may run on several processes: see chunks.py) writes each credential's document and
exports, feeds the bulk dumps and the paged lists, and merge-joins the catalog with the previous
build's change state; then the change feed, the provider and skill documents, and the
self-description (schemas, JSON-LD context, OpenAPI, index.json) follow.
Memory holds a few chunks' results and one page at a time, plus the list of this build's changes.
"""
from __future__ import annotations

import hashlib
import os
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ..cache import Fingerprints, ResultStore, digest
from ..outputs import OutputReuse
from ..catalog import Catalog
from ..config import Config
from ..model import Credential
from . import paths
from .changes import ChangeTracker, FeedResult, PreviousBuildError, resolve_previous, write_changes_meta, write_feed
from .chunks import BULK_CREDENTIALS, ChunkCache, feed_chunks
from .documents import credential_document, index_document, list_page, provider_document, provider_summary, skills_document
from .paths import credential_api_path, credential_page_path
from .writer import GzipLines, GzipMembers, Pager, StoredMembers, dumps, dumps_with_items, put_json, write_json

__all__ = ["write_feeds", "credential_document", "credential_api_path", "credential_page_path", "write_json",
           "FeedsReport", "PreviousBuildError"]


@dataclass
class FeedsReport:
    """What the feeds stage wrote, for logs and benchmarks."""

    credentials: int
    credential_pages: int
    providers: int
    feed: FeedResult


def _list_pager(out: Path, config: Config, kind: str, path_for: Callable[[int], str], total: int,
                reuse: OutputReuse | None, key: bytes, extra: dict | None = None) -> Pager:
    """A pager of one paginated list; with `reuse`, a page is kept when its items' signatures are the last build's."""
    size = config.api_page_size

    def render(n: int, items: list[str], has_next: bool) -> str:
        return dumps_with_items(list_page(config, kind, n, [], has_next, path_for, total, size, extra), items)

    # What a page shows besides its items and number: the list, its length, and the global key (config, code).
    context = digest(key, b"list", kind, path_for(1), str(total), str(size), dumps(extra or {}))
    return Pager(out, size, path_for, render, reuse, context)


class _ProviderLists:
    """Per-provider credential pages and documents, written as the id-ordered pass moves through providers.

    Ids sort as '<provider>/<slug>', so each provider's credentials arrive together and one pager
    at a time is open. With `reuse`, a page or document whose inputs are unchanged is kept.
    """

    def __init__(self, catalog: Catalog, config: Config, out: Path, reuse: OutputReuse | None, key: bytes,
                 fingerprints: Fingerprints | None = None):
        self.catalog, self.config, self.out, self.reuse, self.key = catalog, config, out, reuse, key
        self.fingerprints = fingerprints or Fingerprints(catalog.fingerprints)
        self.counts: dict[str, int] = {}
        self._current: str | None = None
        self._pager: Pager | None = None
        self._creds: list[Credential] = []

    def _open(self, pid: str) -> None:
        total = len(self.catalog.by_provider.get(pid, ()))
        self._current, self._creds = pid, []
        self._pager = _list_pager(self.out, self.config, "provider-credentials",
                                  lambda k: paths.provider_credentials_page(pid, k), total, self.reuse, self.key,
                                  {"provider": pid})

    def _close(self) -> None:
        if self._current is None or self._pager is None:
            return
        self._pager.close()
        provider = self.catalog.providers[self._current]
        rel = paths.provider_api_path(self._current)
        if self.reuse is None:
            write_json(self.out / rel, provider_document(provider, self._creds, self.config))
        else:
            # The document shows the provider's record and its counts (and the config, in the key).
            retired = sum(1 for c in self._creds if c.retired)
            signature = digest(self.key, b"provider", self.fingerprints.provider(provider), str(len(self._creds)),
                               str(retired))
            if not self.reuse.keep_signed(rel, signature):
                write_json(self.out / rel, provider_document(provider, self._creds, self.config))
        self.counts[self._current] = len(self._creds)
        self._current = None

    def extend(self, creds: Sequence[Credential], summaries: Sequence[str], signatures: Sequence[bytes]) -> None:
        """Add credentials' list entries (in id order) to their providers' pages, switching provider as the id prefix changes."""
        start, end = 0, len(creds)
        while start < end:
            pid = creds[start].provider.id
            if pid != self._current:
                self._close()
                self._open(pid)
            stop = start + 1
            while stop < end and creds[stop].provider is creds[start].provider:
                stop += 1
            assert self._pager is not None
            self._pager.extend(summaries[start:stop], signatures[start:stop])
            self._creds += creds[start:stop]
            start = stop

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
    With the build cache (`reuse`, `results`, the global `key`), a credential whose record and
    reverse links are unchanged keeps its files, a chunk of such credentials takes its result from
    the last build, and a list page whose entries are all unchanged is kept, not made.
    """
    from ..exports import EXPORTERS

    # The previous build first: an unreadable --previous must stop the build before anything is written.
    previous = resolve_previous(config, out)
    total = len(catalog.credentials)
    if results is None:
        reuse = None  # keeping a chunk's files needs its result too
    cache = ChunkCache(catalog, config, key, reuse, results) if reuse is not None and results is not None else None
    credential_pages = _list_pager(out, config, "credentials", paths.credential_list_page, total, reuse, key)
    providers = _ProviderLists(catalog, config, out, reuse, key, cache.fingerprints if cache is not None else None)
    bulk_paths = {BULK_CREDENTIALS: paths.BULK_CREDENTIALS, **{fmt: paths.bulk_export_path(fmt) for fmt in EXPORTERS}}
    bulk = {name: GzipMembers(out / rel) for name, rel in bulk_paths.items()}
    bulk_inputs = hashlib.blake2b(digest_size=16)  # every credential's signature, in order: what the bulk files hold
    # The change state and log copy the members of the site's copies that come again (with the cache).
    members = StoredMembers(reuse.site_dir, results, key) if reuse is not None and results is not None else None
    state_out = members.open(out, paths.CHANGES_STATE) if members else GzipLines(out / paths.CHANGES_STATE)
    tracker = ChangeTracker(catalog.as_of, previous, state_out)

    # One pass in id order. Each chunk of credentials writes its documents and exports and turns
    # each record into JSON once (on another process when the catalog is large); here its list
    # entries, bulk members and hashes are joined in order to the pages, bulk files and change state.
    try:
        # closed even when this loop stops early: the chunks' generator holds the catalog frozen (processes.frozen)
        with closing(feed_chunks(catalog, config, str(out), jobs or os.cpu_count() or 1, cache)) as made:
            for (start, stop), result in made:
                for name, member in result.bulk.items():
                    bulk[name].write(member)
                creds = catalog.credentials[start:stop]
                signatures = result.signatures or [b""] * len(creds)
                bulk_inputs.update(b"".join(signatures))
                tracker.see_all(creds, result.hashes)
                credential_pages.extend(result.summaries, signatures)
                providers.extend(creds, result.summaries, signatures)
                if advance is not None and stop > start:
                    advance(stop - start)
    finally:
        if cache is not None:
            cache.close()
    pages = credential_pages.close()
    for name, stream in bulk.items():
        _close_bulk(stream, bulk_paths[name], digest(key, b"bulk", name, bulk_inputs.digest()) if cache else None, reuse)
    state_out.close()
    if members is not None:
        members.keep(paths.CHANGES_STATE, state_out)
    counts = providers.finish()

    # Lists of providers and skills: small (one line per provider or taxonomy skill), after the pass.
    provider_pager = _list_pager(out, config, "providers", paths.provider_list_page, len(catalog.providers), reuse, key)
    for pid, provider in catalog.providers.items():
        summary = dumps(provider_summary(provider, counts.get(pid, 0), config))
        provider_pager.add(summary, digest(summary))  # small: signed by its text
    provider_pages = provider_pager.close()
    put_json(out, paths.SKILLS, skills_document(catalog, config), reuse)

    # The change feed after the pass: only now are all removals known and the changes sorted by date.
    changes = tracker.finish()
    feed = write_feed(config, out, changes, previous, reuse, members)
    write_changes_meta(config, out, catalog.as_of, feed, total)
    if reuse is not None:  # made whole every build, and kept at the end when their bytes are the site's
        reuse.add_unsigned([paths.CHANGES_STATE, paths.CHANGES_LOG, paths.CHANGES_META])

    # Self-description last, so index.json can state the feed's head and every count.
    write_self_description(config, out, reuse)
    feed_summary = {"sequence": feed.sequence, "items": feed.items, "pages": feed.pages, "head": feed.head,
                    "this_build": feed.changes}
    put_json(out, paths.INDEX, index_document(catalog, config, pages, provider_pages, feed_summary), reuse)
    return FeedsReport(total, pages, len(catalog.providers), feed)


def _close_bulk(stream: GzipMembers, rel: str, signature: bytes | None, reuse: OutputReuse | None) -> None:
    """Put a bulk file in place; with `signature` (what its members were made from), keep the site's when it is the same."""
    if reuse is None or signature is None:
        stream.close()
        return
    if reuse.keep_signed(rel, signature):
        stream.discard()
    else:
        stream.close()


def write_self_description(config: Config, out: Path, reuse: OutputReuse | None = None) -> None:
    """Schemas, JSON-LD contexts, the schema index and the OpenAPI document (same for every catalog)."""
    from .context import api_context, ob3_extension_context
    from .openapi import openapi_document
    from .schemas import BUILDERS, json_schema, schema_index

    for name in BUILDERS:
        put_json(out, paths.schema_path(name), json_schema(name, config), reuse)
    put_json(out, paths.SCHEMA_INDEX, schema_index(config), reuse)
    put_json(out, paths.CONTEXT, api_context(), reuse)
    put_json(out, paths.OB3_CONTEXT, ob3_extension_context(), reuse)
    put_json(out, paths.OPENAPI, openapi_document(config), reuse)
