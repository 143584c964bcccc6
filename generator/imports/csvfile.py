"""CSV: one credential a row, under a header naming record fields (see docs/api.md, "Importing").

Cells hold the lenient text a provider would write in YAML ('40 hours', 'USD 49', 'EQF 5'), so
the validator reads them exactly as hand-written records. List cells separate items with ';' or
line breaks; skills, tags, languages, occupations and stackability ids also accept commas.
`title@de` and `description@de` give other languages; workload, duration and level cells may
also be mappings as in YAML ('{hours: 3}'). Columns the header does not know are
kept as `# not imported` comments, row by row.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Any

import yaml

from .common import https_url
from .draft import Draft

TEXT_COLUMNS = ("title", "type", "description", "url", "workload", "duration", "level", "participation", "status",
                "last_verified")
LIST_COLUMNS = ("languages", "skills", "learning_outcomes", "cost", "prerequisites", "occupations", "tags",
                "part_of", "leads_to", "quality_assurance", "assessment")
COMMA_LISTS = ("languages", "skills", "occupations", "tags", "part_of", "leads_to", "assessment")
COLUMNS = ("slug",) + TEXT_COLUMNS + LIST_COLUMNS
_LANG_COLUMN = re.compile(r"^(title|description)@([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)$")
_QA = re.compile(r"^(internal|external)\b\s*:?\s*(.*?)\s*(https://\S+)?$", re.IGNORECASE)


def items(cell: str, name: str) -> list[str]:
    """A list cell's items: split at ';' or line breaks, or at commas for short-item columns."""
    parts = re.split(r"\s*(?:;|\n)\s*", cell.strip())
    if len(parts) == 1 and name in COMMA_LISTS:
        parts = re.split(r"\s*,\s*", cell.strip())
    return [p for p in (p.strip() for p in parts) if p]


def read_text(text: str, source: str) -> list[Draft]:
    """Drafts for every non-empty row of a CSV text."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    if not header or "title" not in header:
        raise ValueError(f"{source}: the CSV header must name at least a 'title' column; known columns: "
                         + ", ".join(COLUMNS) + ", title@<lang>, description@<lang>")
    drafts = []
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(row.values()):
            continue
        drafts.append(_row(row, f"{source}:{number}"))
    return drafts


def _row(row: dict[str, str], source: str) -> Draft:
    draft = Draft(source, "csv")
    texts: dict[str, dict[str, str]] = {"title": {}, "description": {}}
    for column, cell in row.items():
        if not cell:
            continue
        lang = _LANG_COLUMN.match(column)
        if lang:
            texts[lang.group(1)][lang.group(2)] = cell
        elif column == "slug":
            draft.slug = cell
        elif column in ("title", "description"):
            texts[column][""] = cell
        elif column in TEXT_COLUMNS:
            draft.set(column, _flow(cell) if column in ("workload", "duration", "level") else cell)
        elif column in ("part_of", "leads_to"):
            stack = draft.fields.setdefault("stackability", {})
            stack[column] = items(cell, column)
        elif column == "quality_assurance":
            found = [_qa(entry, draft) for entry in items(cell, column)]
            draft.set(column, [qa for qa in found if qa])
        elif column == "assessment":
            draft.set(column, items(cell, column))
        elif column in LIST_COLUMNS:
            draft.set(column, items(cell, column))
        else:
            draft.skip(column, cell, "not a column credcat knows")
    for name, found in texts.items():
        if len(found) == 1:
            draft.set(name, next(iter(found.values())))
        elif found:
            plain = found.pop("", None)
            if plain is not None:
                first = (row.get("languages") or "en").replace(",", ";").split(";")[0].strip() or "en"
                found = {first: plain, **found}
            draft.set(name, found)
    if draft.fields.get("description") and isinstance(draft.fields["description"], str):
        draft.fields["description"] = draft.fields["description"].replace("\\n", "\n")
    return draft


def _flow(cell: str) -> Any:
    """A cell written as a YAML/JSON mapping ('{hours: 3}') as that mapping; any other cell as text."""
    if cell.startswith("{") and cell.endswith("}"):
        try:
            value = yaml.safe_load(cell)
        except yaml.YAMLError:
            return cell
        if isinstance(value, dict):
            return value
    return cell


def _qa(entry: str, draft: Draft) -> dict[str, Any] | None:
    match = _QA.match(entry)
    if not match:
        draft.skip("quality_assurance", entry, "write 'internal' or 'external: <body> <https url>'")
        return None
    out: dict[str, Any] = {"type": match.group(1).lower()}
    if match.group(2):
        out["body"] = match.group(2).strip(" ,;")
    if match.group(3) and https_url(match.group(3)):
        out["url"] = match.group(3)
    return out

