"""The skills taxonomy: canonical skills with synonyms, and resolution of what providers write onto them."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import Problem, did_you_mean
from .load import SLUG, Document
from .model import Skill, TaxonomySkill
from .schema import Enum, Field, ListOf, Mapping, Text, Uri

SKILL_ENTRY = Mapping(name="a taxonomy skill", fields=(
    Field("id", Text(max_length=80), "required", "Stable slug.", "teamwork"),
    Field("label", Text(max_length=200), "required", "Display label.", "Teamwork"),
    Field("kind", Enum(values=("technical", "power")), "required", "technical or power (soft) skill.", "power"),
    Field("uri", Uri(), "optional", "ESCO or O*NET URI."),
    Field("synonyms", ListOf(item=Text(max_length=200), max_items=200), "optional", "What providers may write."),
    Field("description", Text(max_length=2000), "optional", "One line."),
    Field("group", Text(max_length=200), "optional", "A broader group, e.g. 'social interaction'."),
))
TAXONOMY = Mapping(name="the taxonomy", fields=(
    Field("skills", ListOf(item=SKILL_ENTRY, max_items=100_000, single=False), "required", "The skills.", "[]"),
))

_SPACE = re.compile(r"\s+")
_SKILLS_SUFFIX = re.compile(r" skills?$")
_CACHE_ENTRIES = 4096
"""Cap on the remembered resolutions and hints: skill names come from untrusted records."""


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def fold(text: str) -> str:
    """The matching key for a skill name: case-folded, single-spaced, '&' read as 'and'."""
    return _SPACE.sub(" ", text.replace("&", " and ").replace("_", " ").casefold()).strip(" .")


@dataclass
class Taxonomy:
    """Skills by id, and an index from every folded label and synonym to its skill."""

    skills: dict[str, TaxonomySkill] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # folded name -> skill id
    uris: dict[str, str] = field(default_factory=dict)
    _grams: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _nearest_cache: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _known_cache: dict[tuple[str, Any], Skill] = field(default_factory=dict, repr=False)

    def lookup(self, text: str) -> TaxonomySkill | None:
        """The skill a provider's text names, trying a trailing ' skills' off and hyphens as spaces."""
        key = fold(text)
        for candidate in (key, key.replace("-", " "), _SKILLS_SUFFIX.sub("", key)):
            if candidate in self.names:
                return self.skills[self.names[candidate]]
        return None

    def nearest(self, text: str, n: int = 3) -> list[str]:
        """Labels of the taxonomy entries closest to `text`, for hints.

        difflib over every name costs ~80 ms per unknown skill at a few hundred skills, so the
        names sharing the most character trigrams are picked first and only they are compared.
        """
        key = fold(text)
        if key not in self._nearest_cache:
            if not self._grams:
                for name in self.names:
                    for gram in _trigrams(name):
                        self._grams.setdefault(gram, []).append(name)
            shared: Counter[str] = Counter()
            for gram in _trigrams(key):
                shared.update(self._grams.get(gram, ()))
            candidates = [name for name, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:40]]
            ids = dict.fromkeys(self.names[k] for k in did_you_mean(key, candidates, n=n * 3, cutoff=0.55))
            nearest = [self.skills[i].label for i in list(ids)[:n]]
            if len(self._nearest_cache) >= _CACHE_ENTRIES:
                return nearest
            self._nearest_cache[key] = nearest
        return self._nearest_cache[key]

    def resolver(self, report: Callable[..., None]) -> Callable[[Any, tuple], Skill]:
        """A function that resolves one raw skill entry, warning (with the nearest entries) when unknown."""

        known = self._known_cache

        def resolve(item: Any, loc: tuple) -> Skill:
            label = item["label"] if isinstance(item, dict) else str(item)
            uri = item.get("uri") if isinstance(item, dict) else None
            # The same few hundred skill names recur across thousands of records; a known one
            # resolves the same way every time (an unknown one is looked up again, to be reported).
            skill = known.get((label, uri))
            if skill is not None:
                return skill
            found = self.skills.get(self.uris[uri]) if uri in self.uris else self.lookup(label)
            if found is not None:
                skill = Skill(found.label, found.id, found.kind, found.uri or uri)
                if len(known) < _CACHE_ENTRIES:
                    known[(label, uri)] = skill
                return skill
            near = self.nearest(label)
            hint = ("nearest taxonomy skills: " + ", ".join(near) + ". " if near else "") + \
                "use one of those names, or propose the skill in catalog/taxonomy/skills.yml"
            report(loc, f"unknown skill '{label.strip()}'", hint, severity="warning")
            return Skill(label.strip(), None, None, uri)

        return resolve

    def to_json(self) -> list[dict]:
        return [self.skills[k].to_json() for k in sorted(self.skills)]


def build_taxonomy(doc: Document, problems: list[Problem]) -> Taxonomy:
    """Check and index a taxonomy document; a name claimed by two skills is an error."""
    tax = Taxonomy()

    def report(loc: tuple, message: str, hint: str = "", severity: str = "error") -> None:
        line, col = doc.where(loc)
        problems.append(Problem(doc.path, line, col, severity, message, hint, field=".".join(map(str, loc))))

    if not TAXONOMY.check(doc.data, (), report):
        entries = doc.data.get("skills") if isinstance(doc.data, dict) else None
        if not isinstance(entries, list):
            return tax
    for i, entry in enumerate(doc.data.get("skills") or []):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("id", "label", "kind")):
            continue
        sid = entry["id"]
        if not SLUG.match(sid):
            report(("skills", i, "id"), f"the skill id '{sid}' is not a safe slug", "use lowercase letters, digits and hyphens")
            continue
        if sid in tax.skills:
            report(("skills", i, "id"), f"duplicate skill id '{sid}'", "every skill id must be unique")
            continue
        synonyms = tuple(dict.fromkeys(s.strip() for s in (entry.get("synonyms") or []) if isinstance(s, str)))
        skill = TaxonomySkill(sid, entry["label"].strip(), entry["kind"], entry.get("uri"), synonyms,
                              (entry.get("description") or "").strip())
        tax.skills[sid] = skill
        for j, name in enumerate((skill.label, sid, *synonyms)):
            key = fold(name)
            owner = tax.names.get(key)
            if owner is not None and owner != sid:
                where = ("skills", i, "synonyms", j - 2) if j >= 2 else ("skills", i, "label")
                report(where, f"'{name}' already names the skill '{owner}'", "a name may lead to one skill only; remove it here or there")
                continue
            tax.names[key] = sid
        if skill.uri:
            tax.uris[skill.uri] = sid
    return tax
