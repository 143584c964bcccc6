"""Every kind of file under api/v1/, the schema that describes it, and its media type: one table.

The OpenAPI description, the schema index, docs/api.md's tables and the tests all read this
table, so a new kind of file cannot be published without a schema and a description.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Endpoint:
    """A family of static files: a path template under api/v1/, its schema and media type."""

    template: str  # relative to api/v1/, with {placeholders}
    schema: str | None  # schema name (api/v1/schemas/<name>.schema.json); None: described elsewhere
    media: str
    summary: str
    lines: bool = False  # gzipped NDJSON: the schema describes each line

    @property
    def regex(self) -> re.Pattern[str]:
        """A pattern matching the paths (relative to api/v1/) of this family."""
        return _regex(self.template)


@lru_cache(maxsize=None)
def _regex(template: str) -> re.Pattern[str]:
    out, pos = "", 0
    for match in re.finditer(r"\{(\w+)\}", template):
        out += re.escape(template[pos:match.start()])
        out += r"[1-9][0-9]*" if match.group(1) == "page" else r"[a-z0-9]+(?:-[a-z0-9]+)*"
        pos = match.end()
    return re.compile(out + re.escape(template[pos:]) + r"\Z")


JSON = "application/json"
JSONLD = "application/ld+json"
GZIP = "application/gzip"

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("index.json", "index", JSON, "Entry point: catalog name, licence, counts and links to everything else."),
    Endpoint("credentials/page-{page}.json", "credential-page", JSON, "All credentials, by id, a page at a time."),
    Endpoint("credentials/{provider}/{slug}.json", "credential", JSON,
             "One credential: the normalized record, its seal, content hash, page URL and links."),
    Endpoint("providers/{provider}.json", "provider", JSON, "One provider, with counts and a link to its credentials."),
    Endpoint("providers/{provider}/page-{page}.json", "credential-page", JSON, "One provider's credentials, by id, a page at a time."),
    Endpoint("provider-list/page-{page}.json", "provider-page", JSON, "All providers, by id, a page at a time."),
    Endpoint("skills.json", "skills", JSON, "The skills taxonomy, with how many credentials name each skill."),
    Endpoint("feed.json", "feed", "application/feed+json", "The change feed (JSON Feed 1.1), newest first: its newest page."),
    Endpoint("feed/page-{page}.json", "feed", "application/feed+json", "Archived pages of the change feed, numbered from the oldest, reached through next_url; a page is written again only when compaction takes an item from it (or from the page after it, which then goes)."),
    Endpoint("bulk/credentials.ndjson.gz", "bulk-line", GZIP,
             "The whole catalog: one credential document a line (NDJSON), gzipped.", lines=True),
    Endpoint("bulk/ctdl.ndjson.gz", "ctdl", GZIP, "The whole catalog as CTDL JSON-LD, one object a line, gzipped.", lines=True),
    Endpoint("bulk/ob3.ndjson.gz", "ob3", GZIP, "The whole catalog as Open Badges 3.0 Achievements, one a line, gzipped.", lines=True),
    Endpoint("bulk/schemaorg.ndjson.gz", "schemaorg", GZIP, "The whole catalog as schema.org JSON-LD, one graph a line, gzipped.", lines=True),
    Endpoint("ctdl/{provider}/{slug}.jsonld", "ctdl", JSONLD, "One credential in CTDL (ceterms:) JSON-LD."),
    Endpoint("ob3/{provider}/{slug}.jsonld", "ob3", JSONLD, "One credential as an Open Badges 3.0 Achievement."),
    Endpoint("schemaorg/{provider}/{slug}.jsonld", "schemaorg", JSONLD, "One credential in schema.org JSON-LD (as its page embeds)."),
    Endpoint("context.jsonld", "context", JSONLD, "The JSON-LD context mapping our fields to schema.org, CTDL and EU terms."),
    Endpoint("ob3-extension.jsonld", "context", JSONLD, "The JSON-LD context of the OB3 export's extension terms."),
    Endpoint("changes/state.json", "changes", JSON, "The change state summary the next build (and the curious) start from."),
    Endpoint("changes/state.ndjson.gz", "state-line", GZIP,
             "Every credential's content hash and first/last-changed dates, by id, gzipped NDJSON.", lines=True),
    Endpoint("changes/log.ndjson.gz", "feed-item", GZIP, "Every feed item, newest first, gzipped NDJSON.", lines=True),
    Endpoint("schemas/index.json", "schema-index", JSON, "The list of published schemas."),
    Endpoint("schemas/{name}.schema.json", None, "application/schema+json", "A JSON Schema (draft 2020-12)."),
    Endpoint("openapi.json", None, JSON, "This API described in OpenAPI 3.1."),
)


def endpoint_for(relpath: str) -> Endpoint | None:
    """The endpoint family a path (relative to api/v1/) belongs to; None for an unknown file."""
    for endpoint in ENDPOINTS:
        if endpoint.regex.match(relpath):
            return endpoint
    return None
