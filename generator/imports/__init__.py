"""Imports: records published in a standard (CTDL, Open Badges 3.0, ELM) or a CSV become catalog YAML.

Each format module turns a parsed file into `Draft`s (what the source says, in the lenient record
form, with notes and everything it could not map); `finish` fills what a record needs and the
source may lack (a web page, a language) from the provider, saying so in a comment; `render`
writes the text. The import command then checks the written files with the catalog's own validator.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..load import SLUG, slugify
from ..taxonomy import Taxonomy
from . import csvfile, ctdl, elm, ob3
from .draft import Draft, render

FORMATS: dict[str, tuple[str, Callable[[Any, str], list[Draft]]]] = {
    "ctdl": ("CTDL JSON-LD (Credential Engine)", ctdl.read),
    "ob3": ("Open Badges 3.0", ob3.read),
    "elm": ("European Learning Model / Europass EDC", elm.read),
    "csv": ("CSV", lambda text, source: csvfile.read_text(text, source)),
}


class ImportProblem(Exception):
    """A file or record that cannot be imported; the message says why and what to do."""


@dataclass
class Target:
    """Where records go and what the catalog already knows about their provider."""

    provider_id: str
    out: Path
    provider: dict[str, Any] | None = None  # provider.yml as parsed, when it exists
    taxonomy: Taxonomy | None = None


def read_file(fmt: str, path: Path) -> list[Draft]:
    """Parse one file in `fmt` into drafts (raises ImportProblem for unreadable input)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportProblem(f"{path}: cannot read the file: {exc}") from None
    reader = FORMATS[fmt][1]
    if fmt == "csv":
        try:
            drafts = reader(text, str(path))
        except (ValueError, Exception) as exc:  # csv.Error and header problems
            raise ImportProblem(str(exc)) from None
    else:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ImportProblem(f"{path}:{getattr(exc, 'lineno', 1)}: not valid JSON: {exc}") from None
        drafts = reader(data, str(path))
    if not drafts:
        raise ImportProblem(f"{path}: no {FORMATS[fmt][0]} credential found in the file "
                            f"(is it another format? try one of: {', '.join(FORMATS)})")
    return drafts


def finish(draft: Draft, target: Target) -> None:
    """Fill required fields the source lacks, from the provider, with a note each; raise if impossible."""
    if not draft.fields.get("title"):
        raise ImportProblem(f"{draft.source}: the source has no title for the credential; it cannot be imported")
    if not draft.fields.get("description"):
        draft.set("description", _first_text(draft.fields["title"]),
                  "description: the source has none; the title stands in. Write a real description.")
    description = draft.fields["description"]
    draft.fields["description"] = ({k: as_markdown(v) for k, v in description.items()} if isinstance(description, dict)
                                   else as_markdown(description))
    if "url" not in draft.fields:
        known = (target.provider or {}).get("url")
        if draft.provider.get("url"):
            draft.set("url", draft.provider["url"], "url: the source names no web page for the credential; the awarding "
                                                    "body's home page stands in. Replace it with the credential's page.")
        elif isinstance(known, str) and known.startswith("https://"):
            draft.set("url", known, "url: the source names no web page for the credential; the provider's home page "
                                    "stands in. Replace it with the credential's page.")
        else:
            raise ImportProblem(f"{draft.source}: the source names no https web page for the credential and the provider "
                                f"has none either; add url to {target.provider_id}/provider.yml first")
    if not draft.fields.get("languages"):
        draft.set("languages", ["en"], "languages: the source states none; English is assumed. Check it.")
    if not draft.fields.get("type"):
        draft.set("type", "certificate", "type: the source states no type; certificate is assumed. Check it.")
    _skills(draft, target.taxonomy)
    known_name = (target.provider or {}).get("name")
    source_name = draft.provider.get("name")
    if source_name and known_name and source_name.strip().casefold() != str(known_name).strip().casefold():
        draft.note("title", f"The source's awarding body is '{source_name}'; the record is filed under provider "
                            f"'{target.provider_id}' ({known_name}).")


_MARKDOWN_START = re.compile(r"^(\s*)([#>*+-]|\d+[.)])(\s)")


def as_markdown(text: str) -> str:
    """Plain text as Markdown that renders back to the same text: one paragraph per line, no accidental markup."""
    if draft_is_markdown(text):
        return text
    lines = [_MARKDOWN_START.sub(_escape_start, line.strip()) for line in text.split("\n") if line.strip()]
    return "\n\n".join(lines)


def _escape_start(match: re.Match) -> str:
    mark = match.group(2)
    escaped = mark[:-1] + "\\" + mark[-1] if mark[0].isdigit() else "\\" + mark
    return match.group(1) + escaped + match.group(3)


def draft_is_markdown(text: str) -> bool:
    """Text that already separates paragraphs with blank lines is taken as written (Markdown or not)."""
    return "\n\n" in text


def _first_text(value: Any) -> str:
    return next(iter(value.values())) if isinstance(value, dict) else str(value)


def _skills(draft: Draft, taxonomy: Taxonomy | None) -> None:
    """Skill URIs as records accept them: https only; an http ESCO URI the taxonomy knows becomes its label."""
    out: list[Any] = []
    for i, skill in enumerate(draft.fields.get("skills") or []):
        if not isinstance(skill, dict):
            out.append(skill)
            continue
        label, uri = skill["label"], str(skill.get("uri") or "")
        if taxonomy is not None and uri in taxonomy.uris:
            out.append(taxonomy.skills[taxonomy.uris[uri]].label)
        elif re.search(r"/skills/[a-z0-9-]+/?$", uri):  # a credcat site's skill page: the label resolves it
            out.append(label)
        elif uri.startswith("https://"):
            out.append({"label": label, "uri": uri})
        else:
            out.append(label)
            if uri:
                draft.skip(f"skills[{i}].uri ({label})", uri, "records accept https URIs only; the label is kept")
    if out:
        draft.fields["skills"] = list(dict.fromkeys(json.dumps(s, sort_keys=True) for s in out))
        draft.fields["skills"] = [json.loads(s) for s in draft.fields["skills"]]


def choose_slug(draft: Draft, taken: set[str]) -> str:
    """A slug from the source's own id or the title, unique among `taken`."""
    base = draft.slug if draft.slug and SLUG.match(draft.slug) else slugify(_first_text(draft.fields["title"]))[:80]
    base = base.strip("-") or "credential"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def header(draft: Draft) -> str:
    """The comment at the top of an imported record."""
    return (f"Imported by `credcat import {draft.fmt}` from {draft.source} ({FORMATS[draft.fmt][0]}).\n"
            "Check every value against the provider's page, fill in what is missing, then delete this comment.")


def record_text(draft: Draft) -> str:
    """The YAML text of a finished draft."""
    return render(draft, header(draft))


def provider_text(info: dict[str, str], source: str) -> str | None:
    """provider.yml text from what the source says about the awarding body, if it says enough."""
    if not all(info.get(k) for k in ("name", "url", "country")):
        return None
    return (f"# Written by credcat import from {source}; check it.\n"
            f"name: {json.dumps(info['name'], ensure_ascii=False)}\nurl: {json.dumps(info['url'])}\n"
            f"country: {info['country']}\n")


__all__ = ["FORMATS", "Draft", "ImportProblem", "Target", "read_file", "finish", "choose_slug", "record_text",
           "provider_text"]
