"""A record being imported, and how it is written: canonical YAML text with comments a person can check.

Importers fill a `Draft` with fields in the lenient form providers write (so `credcat validate`
reads an imported record exactly as a hand-written one), a note per field where a value was
inferred or converted, and every source field they could not map. The writer emits fields in the
order of the record schema, notes as comments above their field, and one
`# not imported: <field>: <value>` line per unmapped field at the end, so nothing is dropped silently.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..schema import CREDENTIAL

FIELD_ORDER = tuple(CREDENTIAL.names())
MAX_SHOWN = 160
_BASE64ISH = re.compile(r"^[A-Za-z0-9+/=\s]{200,}$")


@dataclass
class Draft:
    """One credential record on its way from a standard's file to catalog YAML."""

    source: str  # where it came from: "FILE" or "FILE#/path"
    fmt: str
    fields: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    not_imported: list[tuple[str, str]] = field(default_factory=list)
    provider: dict[str, str] = field(default_factory=dict)  # name, url, country as the source states them
    slug: str | None = None  # a slug the source suggests (e.g. our own export's id)

    def set(self, name: str, value: Any, note: str | None = None) -> None:
        """Set a record field (empty values are skipped), with an optional note shown above it."""
        if value is None or value == [] or value == {} or value == "":
            return
        self.fields[name] = value
        if note:
            self.note(name, note)

    def note(self, name: str, text: str) -> None:
        """Explain a field's value in a comment above it."""
        self.notes.setdefault(name, []).append(text)

    def skip(self, path: str, value: Any, why: str = "") -> None:
        """Record a source field that has no place in the record."""
        shown = preview(value)
        self.not_imported.append((path, f"{shown} ({why})" if why else shown))

    def skip_private(self, path: str) -> None:
        """Name a field about the person a credential was awarded to, without copying its value."""
        self.not_imported.append((path, "(about the recipient; value not copied)"))


def preview(value: Any) -> str:
    """A short one-line rendering of a source value for a comment."""
    if isinstance(value, dict):
        for key in ("prefLabel", "name", "title", "targetName", "legalName"):
            if key in value:
                label = preview(value[key])
                ident = value.get("id") or value.get("@id")
                return f"{label} <{ident}>" if isinstance(ident, str) and ident.startswith("http") else label
        if set(value) <= {"id", "type", "@id", "@type"} and (value.get("id") or value.get("@id")):
            return str(value.get("id") or value.get("@id"))
        if value and all(isinstance(k, str) and re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", k) for k in value):
            return preview(next(iter(value.values())))  # a language map: its first text
    if isinstance(value, list):
        items = [preview(v) for v in value[:5]]
        text = "; ".join(items) + ("; ..." if len(value) > 5 else "")
        return _clip(text)
    if isinstance(value, str) and _BASE64ISH.match(value):
        return f"(binary data, {len(value):,} characters)"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    size = len(text)
    if size > 2000:
        return f"(a {type(value).__name__}, {size:,} characters)"
    return _clip(text)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 3] + "..."


# --- YAML text --------------------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def scalar(value: Any) -> str:
    """A YAML scalar: strings double-quoted (JSON escapes are valid YAML), so no text turns into a number or date."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def _key(key: str) -> str:
    return key if _PLAIN_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _block_ok(text: str) -> bool:
    return "\n" in text and not any(line != line.rstrip() or "\t" in line for line in text.split("\n")) \
        and not text.startswith((" ", "\n")) and all(ord(c) >= 0x20 or c == "\n" for c in text)


def emit(value: Any, indent: int = 0) -> list[str]:
    """The lines of a YAML value (a mapping or list) at an indentation."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            lines.extend(_entry(f"{pad}{_key(str(key))}:", item, indent))
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                first, *rest = emit(item, indent + 2)
                lines.append(f"{pad}- {first.lstrip()}")
                lines.extend(rest)
            else:
                lines.extend(_entry(f"{pad}-", item, indent))
    return lines


def _entry(head: str, item: Any, indent: int) -> list[str]:
    if isinstance(item, str) and _block_ok(item):
        body = [(" " * (indent + 2) + line) if line else "" for line in item.rstrip("\n").split("\n")]
        return [f"{head} |", *body]
    if isinstance(item, (dict, list)) and item:
        return [head, *emit(item, indent + 2)]
    if isinstance(item, (dict, list)):
        return [f"{head} {'{}' if isinstance(item, dict) else '[]'}"]
    return [f"{head} {scalar(item)}"]


def comment_lines(text: str, indent: int = 0) -> list[str]:
    """A comment, one '# ' line per line of text."""
    return [" " * indent + "# " + line if line else " " * indent + "#" for line in text.split("\n")]


def render(draft: Draft, header: str) -> str:
    """The record as YAML text: a header comment, fields in schema order with their notes, then what was not imported."""
    lines = comment_lines(header)
    for name in FIELD_ORDER:
        if name not in draft.fields:
            continue
        for text in draft.notes.get(name, []):
            lines.extend(comment_lines(text))
        lines.extend(emit({name: draft.fields[name]}))
    for name, texts in draft.notes.items():
        if name not in draft.fields:  # notes about fields left out
            for text in texts:
                lines.extend(comment_lines(f"{name}: {text}"))
    if draft.not_imported:
        lines.append("")
        lines.append("# Fields of the source with no place in a credcat record:")
        for path, shown in draft.not_imported:
            lines.append(f"# not imported: {path}: {shown}")
    return "\n".join(lines) + "\n"
