"""An OpenAPI 3.1 description of the static API (api/v1/openapi.json), generated from the endpoint table.

Every family of files is a GET path; its JSON Schema is embedded under components/schemas, so
the description is one self-contained file that tools can load without fetching anything else.
"""
from __future__ import annotations

import re

from ..config import Config
from .documents import API_VERSION
from .endpoints import ENDPOINTS
from .schemas import BUILDERS, json_schema

_PARAM_DOCS = {
    "page": "Page number, from 1.",
    "provider": "Provider id (a slug).",
    "slug": "Credential slug within its provider; the credential's id is <provider>/<slug>.",
    "name": "Schema name.",
}


def _operation_id(template: str) -> str:
    words = re.split(r"[^A-Za-z0-9]+", template.removesuffix(".json"))
    return "get" + "".join(w[:1].upper() + w[1:] for w in words if w)


def _schema_ref(name: str | None, template: str) -> dict:
    if name is None:
        return {"type": "object", "description": "See the summary."}
    return {"$ref": f"#/components/schemas/{name}"}


def openapi_document(config: Config) -> dict:
    """The OpenAPI 3.1 document for this site's api/v1/."""
    paths: dict = {}
    for endpoint in ENDPOINTS:
        params = [{"name": p, "in": "path", "required": True, "description": _PARAM_DOCS.get(p, p),
                   "schema": {"type": "integer", "minimum": 1} if p == "page" else
                   {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}}
                  for p in re.findall(r"\{(\w+)\}", endpoint.template)]
        if endpoint.lines:
            content = {endpoint.media: {"schema": {
                "type": "string", "contentMediaType": "application/x-ndjson", "contentEncoding": "gzip",
                "description": "Gzipped NDJSON: one JSON value a line; each line matches "
                               f"#/components/schemas/{endpoint.schema}."}}}
        else:
            content = {endpoint.media: {"schema": _schema_ref(endpoint.schema, endpoint.template)}}
        operation = {"operationId": _operation_id(endpoint.template), "summary": endpoint.summary,
                     "responses": {"200": {"description": endpoint.summary, "content": content},
                                   "404": {"description": "No such file (an unknown id, or a page past the last)."}}}
        if params:
            operation["parameters"] = params
        if endpoint.schema and endpoint.lines:
            operation["x-line-schema"] = f"#/components/schemas/{endpoint.schema}"
        paths["/" + endpoint.template] = {"get": operation}
    schemas = {}
    for name in BUILDERS:
        schema = json_schema(name, config)
        schema.pop("$schema", None)
        schema.pop("$id", None)
        schemas[name] = schema
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{config.site_name} catalog API", "version": API_VERSION,
                 "description": "Static JSON files, regenerated on every build: no keys, no rate limits, "
                                "cache freely. Start at index.json; follow the change feed to stay in sync. "
                                f"Documentation: {config.url('api/')}",
                 "license": {"name": config.licence, "url": config.licence_url}},
        "servers": [{"url": config.url("api/v1")}],
        "paths": paths,
        "components": {"schemas": schemas},
    }
