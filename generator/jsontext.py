"""Canonical JSON text, the one form every JSON file credcat writes is in: compact, keys sorted, UTF-8 kept.

The text is made by orjson (Rust): about five times quicker than the standard library's encoder
for the same bytes, and the feeds and search stages encode several documents per credential
(bench/json_text.py measures both on the same documents). For strings, integers, booleans,
null, lists, tuples and dicts the two give the same text; so do floats from 1e-4 to 1e16.
A float below 1e-4 (a workload of 0.00005 hours, say: the checks allow it) orjson writes without
an exponent (0.00005, not 5e-05): the same number, though a record holding one got a new content
hash when this encoder came in. NaN and the infinities, which the standard encoder writes as
invalid JSON, orjson writes as null; no record holds them: the checks refuse them.

A value orjson refuses (an integer past 64 bits, a key that is not a string, a lone surrogate) is
given to the standard encoder, which writes it or raises as before. Dataclasses and dates are
passed through to that same refusal: they are never meant to be in a document. (orjson would
still write an Enum or a UUID, which the standard encoder refuses; no document holds one.)
"""
from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
_STANDARD = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical_bytes(value: Any) -> bytes:
    """`value` as canonical JSON, UTF-8 encoded."""
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except orjson.JSONEncodeError:
        return _STANDARD.encode(value).encode("utf-8")


def canonical(value: Any) -> str:
    """`value` as canonical JSON text (a lone surrogate, which no file can hold, raises UnicodeEncodeError here)."""
    return canonical_bytes(value).decode("utf-8")
