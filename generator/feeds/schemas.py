"""JSON Schemas (draft 2020-12) for every document the API publishes, generated from code.

The enums come from the record schema (generator.schema) and the seal (generator.seal), so a new
credential type or seal element reaches the published schemas without anyone editing JSON.
Each schema is self-contained (shared parts are copied into `$defs`), so a consumer can validate
a document with one file.
"""
from __future__ import annotations

from typing import Any

from ..config import Config
from ..schema import (ASSESSMENT_TYPES, AUDIENCES, COST_PER, CREDENTIAL_TYPES, QA_TYPES, SCHEMA_DRAFT, STATUSES,
                      SUPERVISION)
from ..seal import BANDS, ELEMENTS
from . import paths
from .endpoints import ENDPOINTS

LANG = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
HASH = {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"}
ID = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*/[a-z0-9]+(-[a-z0-9]+)*$"}
SLUG = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}
URL = {"type": "string", "format": "uri", "pattern": "^https?://"}
TEXT = {"type": "string"}
INT = {"type": "integer", "minimum": 0}
NUM = {"type": "number", "minimum": 0}
BOOL = {"type": "boolean"}
PARTICIPATION = ("online", "onsite", "blended")


def null(schema: dict) -> dict:
    """`schema` or null."""
    return {"anyOf": [schema, {"type": "null"}]}


def enum(values) -> dict:
    """One of the given strings."""
    return {"type": "string", "enum": list(values)}


def array(items: dict, **extra: Any) -> dict:
    """A list of `items`."""
    return {"type": "array", "items": items, **extra}


def obj(props: dict, optional: tuple[str, ...] = (), extra: bool = False) -> dict:
    """An object with exactly these properties (all required unless listed as optional)."""
    out: dict = {"type": "object", "properties": props,
                 "required": [k for k in props if k not in optional]}
    if not extra:
        out["additionalProperties"] = False
    return out


def langmap(item: dict = TEXT) -> dict:
    """{BCP 47 tag: item}."""
    return {"type": "object", "minProperties": 1, "patternProperties": {LANG: item}, "additionalProperties": False}


def _credential_document() -> dict:
    skill = obj({"id": null(SLUG), "label": TEXT, "kind": null(enum(("technical", "power"))), "uri": null(URL)})
    seal = obj({"score": INT, "out_of": INT, "percent": {"type": "integer", "minimum": 0, "maximum": 100},
                "band": enum(name for _, name in BANDS), "missing": array(TEXT),
                "elements": obj({key: BOOL for key, _ in ELEMENTS})})
    export_links = {fmt: URL for fmt in paths.EXPORT_FORMATS}
    return obj({
        "@context": URL,
        "id": ID,
        "provider": obj({"id": SLUG, "name": TEXT, "country": {"type": "string", "pattern": "^[A-Z]{2}$"}}),
        "title": langmap(),
        "type": enum(CREDENTIAL_TYPES),
        "description": obj({"html": {"type": "object", "patternProperties": {LANG: TEXT}, "additionalProperties": False},
                            "text": {"type": "object", "patternProperties": {LANG: TEXT}, "additionalProperties": False}}),
        "url": URL,
        "page_url": URL,
        "languages": array({"type": "string", "pattern": LANG}, minItems=1),
        "skills": array(skill),
        "learning_outcomes": array(TEXT),
        "workload": null(obj({"hours": null(NUM), "ects": null(NUM)})),
        "duration": null(obj({"min": TEXT, "max": TEXT})),
        "level": null(obj({"eqf": null({"type": "integer", "minimum": 1, "maximum": 8}), "audience": null(enum(AUDIENCES))})),
        "participation": null(enum(PARTICIPATION)),
        "assessment": null(obj({"type": array(enum(ASSESSMENT_TYPES)), "supervision": null(enum(SUPERVISION)),
                                "id_verified": null(BOOL)})),
        "quality_assurance": array(obj({"type": enum(QA_TYPES), "body": null(TEXT), "url": null(URL)})),
        "cost": array(obj({"amount": {"type": "string", "pattern": r"^\d+(\.\d+)?$"},
                           "currency": null({"type": "string", "pattern": "^[A-Z]{3}$"}), "per": null(enum(COST_PER))})),
        "prerequisites": array(TEXT),
        "stackability": obj({"part_of": array(ID), "leads_to": array(ID), "part_of_reverse": array(ID),
                             "leads_to_reverse": array(ID)}),
        "occupations": array(obj({"scheme": enum(("soc", "isco")), "code": TEXT})),
        "status": enum(STATUSES),
        "tags": array(TEXT),
        "last_verified": null(DATE),
        "seal": null(seal),
        "content_hash": HASH,
        "links": obj({"self": URL, "provider": URL, **export_links}),
    })


def _page(kind: tuple[str, ...], item: dict) -> dict:
    links = obj({"self": URL, "first": URL, "last": URL, "prev": null(URL), "next": null(URL)})
    return obj({"kind": enum(kind), "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
                "total": INT, "pages": {"type": "integer", "minimum": 1}, "items": array(item), "links": links,
                "provider": SLUG}, optional=("provider",))


def _credential_summary() -> dict:
    return obj({"id": ID, "title": langmap(), "type": enum(CREDENTIAL_TYPES), "status": enum(STATUSES),
                "provider": SLUG, "last_verified": null(DATE), "content_hash": HASH,
                "seal": obj({"score": null(INT), "band": null(TEXT)}), "url": URL, "page_url": URL})


def _provider_document() -> dict:
    return obj({"@context": URL, "id": SLUG, "name": TEXT, "url": URL, "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                "description": obj({"html": TEXT, "text": TEXT}), "maintainers": array(TEXT), "page_url": URL,
                "counts": obj({"credentials": INT, "active": INT, "retired": INT}),
                "links": obj({"self": URL, "credentials": URL})})


def _provider_summary() -> dict:
    return obj({"id": SLUG, "name": TEXT, "country": TEXT, "url": URL, "credentials": INT, "document": URL, "page_url": URL})


def _skills() -> dict:
    skill = obj({"id": SLUG, "label": TEXT, "kind": enum(("technical", "power")), "uri": null(URL),
                 "synonyms": array(TEXT), "description": TEXT, "credentials": INT, "page_url": null(URL)})
    return obj({"@context": URL, "kind": enum(("skills",)), "total": INT, "skills": array(skill),
                "links": obj({"self": URL})})


def feed_extension() -> dict:
    """The `_credcat` object on every feed item: what changed, and where the current record is."""
    return obj({"change": enum(("added", "updated", "removed")), "credential_id": ID,
                "sequence": {"type": "integer", "minimum": 1}, "content_hash": HASH, "changed": DATE,
                "document": null(URL), "tombstone": {"const": True}}, optional=("tombstone",))


def _feed_item() -> dict:
    stamp = {"type": "string", "format": "date-time", "pattern": r"^\d{4}-\d{2}-\d{2}T00:00:00Z$"}
    return obj({"id": URL, "title": TEXT, "content_text": TEXT, "url": URL, "external_url": URL,
                "language": {"type": "string", "pattern": LANG}, "tags": array(TEXT),
                "date_published": stamp, "date_modified": stamp, "_credcat": feed_extension()},
               optional=("url", "external_url", "language", "tags"))


def _feed() -> dict:
    return obj({"version": {"const": "https://jsonfeed.org/version/1.1"}, "title": TEXT, "home_page_url": URL,
                "feed_url": URL, "description": TEXT, "next_url": URL, "items": array(_feed_item()),
                "_credcat": obj({"about": URL, "page": {"type": "integer", "minimum": 1}, "sequence": INT,
                                 "archived": {"const": True}, "schema": URL}, optional=("sequence", "archived"))},
               optional=("next_url",))


def _index() -> dict:
    count_keys = ("credentials", "active", "retired", "providers", "skills", "credential_pages", "provider_pages")
    link_keys = ("self", "feed", "credentials", "providers", "skills", "bulk", "schemas", "context", "openapi",
                 "changes", "docs")
    links = obj({**{k: URL for k in link_keys}, "bulk_exports": obj({fmt: URL for fmt in paths.EXPORT_FORMATS})})
    feed = obj({"sequence": INT, "items": INT, "pages": {"type": "integer", "minimum": 1}, "head": null(URL),
                "this_build": obj({"added": INT, "updated": INT, "removed": INT})})
    return obj({"kind": enum(("index",)), "api_version": TEXT, "name": TEXT, "description": TEXT, "site_url": URL,
                "as_of": DATE, "licence": obj({"id": TEXT, "url": URL}), "counts": obj({k: INT for k in count_keys}),
                "feed": feed, "links": links})


def _changes() -> dict:
    return obj({"kind": enum(("changes",)), "format": {"const": 1}, "as_of": DATE, "sequence": INT, "credentials": INT,
                "log_items": INT, "head": null(URL), "this_build": obj({"added": INT, "updated": INT, "removed": INT}),
                "feed_pages": obj({"page_size": {"type": "integer", "minimum": 1}, "head": INT,
                                   "archive": array(array({"type": "integer", "minimum": 1}, minItems=2, maxItems=2))}),
                "links": obj({"state": URL, "log": URL, "feed": URL})})


def _state_line() -> dict:
    return obj({"id": ID, "content_hash": HASH, "published": DATE, "modified": DATE, "title": TEXT})


def _ctdl() -> dict:
    alignment = {"type": "object", "required": ["@type", "ceterms:targetNodeName"],
                 "properties": {"@type": {"const": "ceterms:CredentialAlignmentObject"}, "ceterms:targetNodeName": langmap()}}
    from ..exports.vocab import CTDL_CLASS

    return {"type": "object",
            "required": ["@context", "@id", "@type", "ceterms:ctid", "ceterms:name", "ceterms:description",
                         "ceterms:subjectWebpage", "ceterms:inLanguage", "ceterms:ownedBy", "ceterms:credentialStatusType"],
            "properties": {"@context": URL, "@id": URL, "@type": enum(sorted(set(CTDL_CLASS.values()))),
                           "ceterms:ctid": {"type": "string", "pattern": "^ce-[0-9a-f-]{36}$"},
                           "ceterms:name": langmap(), "ceterms:description": langmap(), "ceterms:subjectWebpage": URL,
                           "ceterms:inLanguage": array({"type": "string", "pattern": LANG}, minItems=1),
                           "ceterms:ownedBy": array({"type": "object", "required": ["@type", "@id", "ceterms:name"]}, minItems=1),
                           "ceterms:credentialStatusType": alignment,
                           "ceterms:audienceLevelType": array(alignment),
                           "ceterms:keyword": langmap(array(TEXT))},
            "patternProperties": {"^ceterms:": {}}, "additionalProperties": False}


def _ob3() -> dict:
    from ..exports.vocab import OB3_TYPE

    alignment = {"type": "object", "required": ["type", "targetName", "targetUrl"],
                 "properties": {"type": {"type": "array", "contains": {"const": "Alignment"}},
                                "targetName": TEXT, "targetUrl": URL, "targetType": TEXT}}
    profile = {"type": "object", "required": ["id", "type"],
               "properties": {"id": URL, "type": {"type": "array", "contains": {"const": "Profile"}}, "name": TEXT, "url": URL}}
    return {"type": "object", "required": ["@context", "id", "type", "name", "description", "criteria", "achievementType", "creator"],
            "properties": {"@context": array(URL, minItems=2), "id": URL,
                           "type": {"type": "array", "contains": {"const": "Achievement"}},
                           "achievementType": enum(sorted(set(OB3_TYPE.values()))), "name": TEXT, "description": TEXT,
                           "criteria": {"type": "object", "anyOf": [{"required": ["id"]}, {"required": ["narrative"]}],
                                        "properties": {"id": URL, "narrative": TEXT}},
                           "creator": profile, "alignment": array(alignment), "inLanguage": {"type": "string", "pattern": LANG},
                           "tag": array(TEXT), "creditsAvailable": NUM, "workloadHours": NUM}}


def _schemaorg() -> dict:
    node = {"type": "object", "required": ["@type", "@id", "name"]}
    return {"type": "object", "required": ["@context", "@graph"],
            "properties": {"@context": {"const": "https://schema.org"}, "@graph": array(node, minItems=1)}}


def _context() -> dict:
    return obj({"@context": {"type": "object", "required": ["@version"], "properties": {"@version": {"const": 1.1}}}})


def _schema_index() -> dict:
    entry = obj({"name": SLUG, "url": URL, "describes": array(TEXT)})
    return obj({"kind": enum(("schemas",)), "schemas": array(entry)})


BUILDERS = {
    "index": ("API entry point", _index),
    "credential": ("Credential document", _credential_document),
    "credential-summary": ("Credential list entry", _credential_summary),
    "credential-page": ("Page of a credential list", lambda: _page(("credentials", "provider-credentials"), _credential_summary())),
    "provider": ("Provider document", _provider_document),
    "provider-page": ("Page of the provider list", lambda: _page(("providers",), _provider_summary())),
    "skills": ("Skills taxonomy document", _skills),
    "feed": ("Change feed page (JSON Feed 1.1 with the _credcat extension)", _feed),
    "feed-extension": ("The _credcat extension of a feed item", feed_extension),
    "feed-item": ("One change feed item (a line of changes/log.ndjson.gz)", _feed_item),
    "bulk-line": ("One line of bulk/credentials.ndjson.gz (a credential document)", _credential_document),
    "changes": ("Change state summary", _changes),
    "state-line": ("One line of changes/state.ndjson.gz", _state_line),
    "ctdl": ("CTDL JSON-LD export of a credential", _ctdl),
    "ob3": ("Open Badges 3.0 Achievement export of a credential", _ob3),
    "schemaorg": ("schema.org JSON-LD export of a credential", _schemaorg),
    "context": ("JSON-LD context document", _context),
    "schema-index": ("List of published schemas", _schema_index),
}


def json_schema(name: str, config: Config) -> dict:
    """The published JSON Schema `name` (draft 2020-12), with its $id on this site."""
    title, build = BUILDERS[name]
    return {"$schema": SCHEMA_DRAFT, "$id": config.url(paths.schema_path(name)), "title": f"credcat API: {title}",
            "description": f"{title}. Generated by credcat; see {config.url('api/')}.", **build()}


def schema_index(config: Config) -> dict:
    """schemas/index.json: every schema with the files it describes."""
    entries = []
    for name in BUILDERS:
        describes = [e.template for e in ENDPOINTS if e.schema == name]
        entries.append({"name": name, "url": config.url(paths.schema_path(name)), "describes": describes})
    return {"kind": "schemas", "schemas": entries}
