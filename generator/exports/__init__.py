"""Exports: each credential in the standards aggregators speak (schema.org, CTDL, Open Badges 3.0).

Every exporter is a function `(cred, config) -> dict` (one JSON-LD object); the feeds stage
writes each per credential under api/v1/<format>/ and streams all of them into
api/v1/bulk/<format>.ndjson.gz. The schema.org form is the one the pages embed (generator.jsonld).
"""
from __future__ import annotations

from typing import Callable

from ..config import Config
from ..model import Credential
from .ctdl import ctdl_credential
from .ob3 import ob3_achievement


def schemaorg_credential(cred: Credential, config: Config) -> dict:
    """The schema.org JSON-LD graph the credential's page embeds (Course + EducationalOccupationalCredential)."""
    from ..jsonld import credential_graph

    return credential_graph(cred, config)


EXPORTERS: dict[str, Callable[[Credential, Config], dict]] = {
    "ctdl": ctdl_credential,
    "ob3": ob3_achievement,
    "schemaorg": schemaorg_credential,
}

__all__ = ["EXPORTERS", "ctdl_credential", "ob3_achievement", "schemaorg_credential"]
