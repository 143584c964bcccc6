"""Where every API file lives: one place for the public layout of site/api/v1/ (a contract aggregators rely on).

Every path here is site-relative and stable for life. Credential and provider ids are slugs
(`[a-z0-9-]`), so a list page name such as `page-2.json` can never collide with a record file:
credential documents sit one folder deeper (`credentials/<provider>/<slug>.json`), and the
provider list lives in its own folder (`provider-list/`) because a provider may be called `page-1`.
"""
from __future__ import annotations

from ..model import Credential

API = "api/v1"

INDEX = f"{API}/index.json"
SKILLS = f"{API}/skills.json"
FEED = f"{API}/feed.json"
CONTEXT = f"{API}/context.jsonld"
OB3_CONTEXT = f"{API}/ob3-extension.jsonld"
OPENAPI = f"{API}/openapi.json"
SCHEMAS = f"{API}/schemas"
SCHEMA_INDEX = f"{SCHEMAS}/index.json"
CHANGES = f"{API}/changes"
CHANGES_META = f"{CHANGES}/state.json"
CHANGES_STATE = f"{CHANGES}/state.ndjson.gz"
CHANGES_LOG = f"{CHANGES}/log.ndjson.gz"
BULK = f"{API}/bulk"
BULK_CREDENTIALS = f"{BULK}/credentials.ndjson.gz"
EXPORT_FORMATS = ("ctdl", "ob3", "schemaorg")


def credential_page_path(cred: Credential) -> str:
    """The site-relative URL path of a credential's page (stable for life)."""
    return credential_page_path_for(cred.id)


def credential_api_path(cred: Credential) -> str:
    """The site-relative path of a credential's JSON document."""
    return credential_api_path_for(cred.id)


def credential_api_path_for(cred_id: str) -> str:
    """The document path for a credential id (also for ids no longer in the catalog)."""
    return f"{API}/credentials/{cred_id}.json"


def credential_page_path_for(cred_id: str) -> str:
    """The page path for a credential id."""
    return f"credentials/{cred_id}/"


def export_path(fmt: str, cred_id: str) -> str:
    """The per-credential export in one standard: api/v1/<fmt>/<provider>/<slug>.jsonld."""
    return f"{API}/{fmt}/{cred_id}.jsonld"


def bulk_export_path(fmt: str) -> str:
    """The whole catalog in one standard, one JSON-LD object a line, gzipped."""
    return f"{BULK}/{fmt}.ndjson.gz"


def credential_list_page(n: int) -> str:
    """Page n (from 1) of the list of all credentials, by id."""
    return f"{API}/credentials/page-{n}.json"


def provider_api_path(provider_id: str) -> str:
    """A provider's JSON document."""
    return f"{API}/providers/{provider_id}.json"


def provider_page_path(provider_id: str) -> str:
    """The site-relative URL path of a provider's page."""
    return f"providers/{provider_id}/"


def provider_credentials_page(provider_id: str, n: int) -> str:
    """Page n of one provider's credentials, by id."""
    return f"{API}/providers/{provider_id}/page-{n}.json"


def provider_list_page(n: int) -> str:
    """Page n of the list of all providers, by id."""
    return f"{API}/provider-list/page-{n}.json"


def skill_page_path(skill_id: str) -> str:
    """The site-relative URL path of a skill's page."""
    return f"skills/{skill_id}/"


def feed_page(n: int) -> str:
    """Archived page n of the change feed (1 is the oldest); feed.json, the newest page, links down to them by next_url."""
    return f"{API}/feed/page-{n}.json"


def schema_path(name: str) -> str:
    """A published JSON Schema: api/v1/schemas/<name>.schema.json."""
    return f"{SCHEMAS}/{name}.schema.json"
