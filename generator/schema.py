"""The record's shape, written once: the validator checks it and the published JSON Schema is generated from it.

Each field of provider.yml and credentials/<slug>.yml is a `Field` whose `shape` is built from
the small combinators below. A shape knows how to check a raw value (reporting problems with
the value's line) and how to describe itself as JSON Schema (draft 2020-12). Lenient text forms
("40 hours", "$49") are then parsed by normalize.py, which reports what it cannot understand.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Callable, Literal

from .errors import suggestion

_SPACE = re.compile(r"\s")
SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_BASE = "https://credcat.example/schemas/"

Report = Callable[[tuple, str, str], None]  # (location, message, hint)


@lru_cache(maxsize=64)
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


def describe(value: Any) -> str:
    """How a value reads in an error message: its kind, and the value itself when short."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"a true/false value ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"'{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class Shape:
    """A checkable, describable value shape."""

    expects: str = "a value"

    def check(self, value: Any, loc: tuple, report: Report) -> bool:
        """Report every problem with `value`; True when it is acceptable."""
        raise NotImplementedError

    def matches_type(self, value: Any) -> bool:
        """Whether `value` is of this shape's JSON type (used to pick among alternatives)."""
        raise NotImplementedError

    def schema(self) -> dict:
        """This shape as a JSON Schema fragment."""
        raise NotImplementedError


@dataclass
class Text(Shape):
    max_length: int = 10_000
    min_length: int = 1
    expects: str = "text"

    def matches_type(self, value: Any) -> bool:
        return isinstance(value, str)

    def check(self, value: Any, loc: tuple, report: Report) -> bool:
        if not isinstance(value, str):
            report(loc, f"expected {self.expects}, got {describe(value)}", _quote_hint(value))
            return False
        stripped = value.strip()
        if len(stripped) < self.min_length:
            report(loc, f"expected {self.expects}, got an empty text", "write a value or remove the field")
            return False
        if len(value) > self.max_length:
            report(loc, f"the text is {len(value):,} characters; at most {self.max_length:,} are allowed",
                   "shorten it; link to the provider's page for the full text")
            return False
        return True

    def schema(self) -> dict:
        return {"type": "string", "minLength": self.min_length, "maxLength": self.max_length}


def _quote_hint(value: Any) -> str:
    if isinstance(value, (bool, int, float)):
        return f"put the value in quotes to make it text: \"{value if not isinstance(value, bool) else str(value).lower()}\""
    if isinstance(value, list):
        return "write a single value, not a list"
    if isinstance(value, dict):
        return "write a single value; a 'key: value' inside the text needs quotes"
    return ""


@dataclass
class Url(Text):
    """A web address: https only (subclasses widen `schemes`); never javascript:, file: or the like."""

    max_length: int = 2_000
    expects: str = "an https:// URL"
    schemes: tuple[str, ...] = ("https",)

    def check(self, value: Any, loc: tuple, report: Report) -> bool:
        if not super().check(value, loc, report):
            return False
        text = value.strip()
        prefix = next((f"{s}://" for s in self.schemes if text.lower().startswith(f"{s}://")), None)
        if prefix is None or len(text) <= len(prefix) or _SPACE.search(text) is not None:
            report(loc, f"expected {self.expects}, got {describe(value)}", self.hint(text))
            return False
        return True

    def hint(self, text: str) -> str:
        """How to fix a rejected address, by the scheme it used."""
        scheme = text.split(":", 1)[0].lower() if ":" in text else ""
        if scheme == "http":
            return "use the https:// address; plain http is not accepted"
        if scheme in ("javascript", "data", "file", "vbscript", "ftp", "mailto"):
            return f"'{scheme}:' links are not allowed; give the https:// address of a web page"
        return "write the full address starting with https://"

    def schema(self) -> dict:
        scheme = self.schemes[0] if len(self.schemes) == 1 else "(?:" + "|".join(self.schemes) + ")"
        return {"type": "string", "format": "uri", "pattern": f"^{scheme}://\\S+$", "maxLength": self.max_length}


@dataclass
class Uri(Url):
    """An identifier URI such as ESCO's (http://data.europa.eu/esco/...): http or https, nothing else."""

    expects: str = "an http(s):// URI"
    schemes: tuple[str, ...] = ("https", "http")

    def hint(self, text: str) -> str:
        return "give the skill's identifier, e.g. http://data.europa.eu/esco/skill/..."


@dataclass
class Number(Shape):
    minimum: float = 0
    maximum: float = 1_000_000
    integer: bool = False
    numeric_text: bool = False  # accept "5" as 5 (standards exports write numbers as text)
    expects: str = "a number"

    def matches_type(self, value: Any) -> bool:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok and self.numeric_text and isinstance(value, str):
            try:
                float(value)
                return True
            except ValueError:
                return False
        return ok

    def check(self, value: Any, loc: tuple, report: Report) -> bool:
        if not self.matches_type(value):
            report(loc, f"expected {self.expects}, got {describe(value)}", "write digits only, e.g. 40")
            return False
        number = float(value)
        if self.integer and number != int(number):
            report(loc, f"expected a whole number, got {describe(value)}", "")
            return False
        if not (self.minimum <= number <= self.maximum) or number != number:
            report(loc, f"expected a number from {self.minimum:g} to {self.maximum:g}, got {describe(value)}", "")
            return False
        return True

    def schema(self) -> dict:
        base = {"type": "integer" if self.integer else "number", "minimum": self.minimum, "maximum": self.maximum}
        if self.numeric_text:
            return {"anyOf": [base, {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"}]}
        return base


@dataclass
class Bool(Shape):
    expects: str = "true or false"

    def matches_type(self, value: Any) -> bool:
        return isinstance(value, bool)

    def check(self, value: Any, loc: tuple, report: Report) -> bool:
        if not isinstance(value, bool):
            report(loc, f"expected true or false, got {describe(value)}", "write true or false without quotes")
            return False
        return True

    def schema(self) -> dict:
        return {"type": "boolean"}


@dataclass
class Enum(Shape):
    values: tuple[str, ...] = ()

    @property
    def expects(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(self.values)

    def matches_type(self, value: Any) -> bool:
        return isinstance(value, str)

    def check(self, value: Any, loc: tuple, report: Report) -> bool:
        if value in self.values:
            return True
        hint = ""
        if isinstance(value, str):
            folded = {v.casefold(): v for v in self.values}
            hint = (f"did you mean '{folded[value.strip().casefold()]}'?" if value.strip().casefold() in folded
                    else suggestion(value, self.values))
        report(loc, f"expected one of {', '.join(self.values)}, got {describe(value)}", hint)
        return False

    def schema(self) -> dict:
        return {"type": "string", "enum": list(self.values)}


@dataclass
class Pattern(Text):
    regex: str = ""
    example: str = ""
    expects: str = "text"

    def check(self, value: Any, loc: tuple, report: Report) -> bool:
        if not super().check(value, loc, report):
            return False
        if not _compiled(self.regex).fullmatch(value.strip()):
            report(loc, f"expected {self.expects}, got {describe(value)}", f"for example: {self.example}" if self.example else "")
            return False
        return True

    def schema(self) -> dict:
        return {"type": "string", "pattern": f"^(?:{self.regex})$"}


@dataclass
class ListOf(Shape):
    item: Shape = field(default_factory=Text)
    max_items: int = 100
    min_items: int = 0
    single: bool = True  # a lone value is read as a one-item list

    @property
    def expects(self) -> str:  # type: ignore[override]
        return f"a list of {self.item.expects}"

    def matches_type(self, value: Any) -> bool:
        return isinstance(value, list) or (self.single and self.item.matches_type(value))

    def check(self, value: Any, loc: tuple, report: Report) -> bool:
        if not isinstance(value, list):
            if self.single and self.item.matches_type(value):
                return self.item.check(value, loc, report)
            report(loc, f"expected {self.expects}, got {describe(value)}", "write one '- item' line per entry")
            return False
        if len(value) > self.max_items:
            report(loc, f"the list has {len(value)} entries; at most {self.max_items} are allowed", "keep the most important ones")
            return False
        if len(value) < self.min_items:
            report(loc, f"expected at least {self.min_items} entr{'y' if self.min_items == 1 else 'ies'}", "")
            return False
        ok = True
        for i, item in enumerate(value):
            ok = self.item.check(item, loc + (i,), report) and ok
        return ok

    def schema(self) -> dict:
        as_list = {"type": "array", "items": self.item.schema(), "maxItems": self.max_items}
        if self.min_items:
            as_list["minItems"] = self.min_items
        return {"anyOf": [self.item.schema(), as_list]} if self.single else as_list


@dataclass
class Field:
    """One field of a mapping: its shape, whether it is required, and how to explain it."""

    name: str
    shape: Shape
    need: Literal["required", "recommended", "eu", "optional"] = "optional"
    description: str = ""
    example: str = ""


@dataclass
class Mapping(Shape):
    fields: tuple[Field, ...] = ()
    name: str = "a mapping"
    allow_extra_keys: Callable[[str], bool] | None = None

    @property
    def expects(self) -> str:  # type: ignore[override]
        return self.name

    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    @cached_property
    def _known(self) -> dict[str, Field]:
        """The fields by name, built once rather than for every record checked."""
        return {f.name: f for f in self.fields}

    @cached_property
    def _required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.need == "required")

    def matches_type(self, value: Any) -> bool:
        return isinstance(value, dict)

    def check(self, value: Any, loc: tuple, report: Report, key_report: Report | None = None) -> bool:
        if not isinstance(value, dict):
            report(loc, f"expected {self.expects}, got {describe(value)}",
                   "write it as 'key: value' lines: " + ", ".join(self.names()))
            return False
        key_report = key_report or report
        ok = True
        known = self._known
        for key, item in value.items():
            spec = known.get(key)
            if spec is not None and item is None:
                continue  # an empty field: required ones are reported below, optional ones say nothing
            if spec is None:
                if self.allow_extra_keys and self.allow_extra_keys(key):
                    continue
                hint = suggestion(key, known) or ("allowed fields: " + ", ".join(self.names()))
                if hint.startswith("did you mean"):
                    hint += f" (allowed fields: {', '.join(self.names())})" if len(self.fields) <= 8 else ""
                key_report(loc + (key,), f"unknown field '{key}'", hint)
                ok = False
                continue
            ok = spec.shape.check(item, loc + (key,), report) and ok
        for spec in self._required:
            if value.get(spec.name) is None and spec.name not in value:
                report(loc, f"missing required field '{spec.name}'",
                       f"add '{spec.name}: {spec.example}'" if spec.example else f"add '{spec.name}:'")
                ok = False
            elif value.get(spec.name) is None:
                report(loc + (spec.name,), f"the required field '{spec.name}' is empty",
                       f"write a value, e.g. '{spec.name}: {spec.example}'" if spec.example else "write a value")
                ok = False
        return ok

    def schema(self) -> dict:
        props = {}
        for f in self.fields:
            prop = dict(f.shape.schema())
            if f.description:
                prop["description"] = f.description
            props[f.name] = prop
        out: dict = {"type": "object", "properties": props, "additionalProperties": False}
        required = [f.name for f in self.fields if f.need == "required"]
        if required:
            out["required"] = required
        return out


@dataclass
class LangMap(Shape):
    """{lang: text}: a text in several languages (BCP 47 tags as keys)."""

    item: Shape = field(default_factory=Text)
    expects: str = "a mapping of language codes to text, e.g. {en: ..., de: ...}"

    def matches_type(self, value: Any) -> bool:
        return isinstance(value, dict)

    def check(self, value: Any, loc: tuple, report: Report) -> bool:
        from .normalize import LANG_TAG

        if not isinstance(value, dict) or not value:
            report(loc, f"expected {self.expects}, got {describe(value)}", "")
            return False
        ok = True
        for key, text in value.items():
            if not LANG_TAG.fullmatch(str(key)):
                report(loc + (key,), f"'{key}' is not a language code",
                       "use a BCP 47 code such as en, de, fr or pt-BR")
                ok = False
                continue
            ok = self.item.check(text, loc + (key,), report) and ok
        return ok

    def schema(self) -> dict:
        return {"type": "object", "minProperties": 1,
                "patternProperties": {"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$": self.item.schema()},
                "additionalProperties": False}


@dataclass
class AnyOf(Shape):
    options: tuple[Shape, ...] = ()

    @property
    def expects(self) -> str:  # type: ignore[override]
        return " or ".join(o.expects for o in self.options)

    def matches_type(self, value: Any) -> bool:
        return any(o.matches_type(value) for o in self.options)

    def check(self, value: Any, loc: tuple, report: Report) -> bool:
        for option in self.options:
            if option.matches_type(value):
                return option.check(value, loc, report)
        report(loc, f"expected {self.expects}, got {describe(value)}", _quote_hint(value) if not isinstance(value, (list, dict)) else "")
        return False

    def schema(self) -> dict:
        return {"anyOf": [o.schema() for o in self.options]}


# --- the record's fields ------------------------------------------------------------------------

CREDENTIAL_TYPES = ("micro-credential", "badge", "certificate", "certification", "course", "learning-program")
AUDIENCES = ("beginner", "intermediate", "advanced")
PARTICIPATION_INPUT = ("online", "onsite", "blended", "in person", "in-person", "on-site", "hybrid")
ASSESSMENT_TYPES = ("exam", "project", "portfolio", "assignment", "quiz", "practical", "peer-review",
                    "interview", "observation", "none")
SUPERVISION = ("none", "supervised", "proctored")
QA_TYPES = ("internal", "external")
STATUSES = ("active", "retired")
COST_PER = ("once", "month", "year", "exam", "attempt", "course", "credit")

SLUG_RE = r"[a-z0-9]+(?:-[a-z0-9]+)*"
ID_RE = rf"(?:{SLUG_RE}/)?{SLUG_RE}"
_TEXT = Text(max_length=500)
_TITLE = AnyOf((Text(max_length=300), LangMap(item=Text(max_length=300))))
_DESCRIPTION = AnyOf((Text(max_length=20_000), LangMap(item=Text(max_length=20_000))))
_DATE = Pattern(regex=r"\d{4}-\d{2}-\d{2}", expects="a date as YYYY-MM-DD", example="2026-03-01", max_length=10)

SKILL_OBJECT = Mapping(name="a skill {label, uri}", fields=(
    Field("label", Text(max_length=200), "required", "The skill as the provider names it.", "Teamwork"),
    Field("uri", Uri(), "optional", "An ESCO, O*NET or other URI identifying the skill."),
))
WORKLOAD_OBJECT = Mapping(name="a workload {hours, ects}", fields=(
    Field("hours", Number(maximum=10_000, numeric_text=True), "optional", "Notional learning hours."),
    Field("ects", Number(maximum=240, numeric_text=True), "optional", "ECTS credits."),
))
DURATION_OBJECT = Mapping(name="a duration {min, max}", fields=(
    Field("min", Text(max_length=40), "optional", "Shortest time to complete, e.g. P2M or '2 months'."),
    Field("max", Text(max_length=40), "optional", "Longest time to complete, e.g. P3M or '3 months'."),
))
LEVEL_OBJECT = Mapping(name="a level {eqf, audience}", fields=(
    Field("eqf", Number(minimum=1, maximum=8, integer=True, numeric_text=True), "optional",
          "European Qualifications Framework level, 1-8, only where the provider states it."),
    Field("audience", Enum(values=AUDIENCES), "optional", "Difficulty for learners."),
))
ASSESSMENT_OBJECT = Mapping(name="an assessment {type, supervision, id_verified}", fields=(
    Field("type", ListOf(item=Enum(values=ASSESSMENT_TYPES), max_items=10), "required",
          "How learning is assessed.", "[exam]"),
    Field("supervision", Enum(values=SUPERVISION), "optional", "Whether the assessment is supervised."),
    Field("id_verified", Bool(), "optional", "Whether the learner's identity is checked."),
))
QA_OBJECT = Mapping(name="a quality assurance entry {type, body, url}", fields=(
    Field("type", Enum(values=QA_TYPES), "required", "internal or external quality assurance.", "external"),
    Field("body", Text(max_length=300), "optional", "The body that assures quality."),
    Field("url", Url(), "optional", "Where the quality assurance is described."),
))
COST_OBJECT = Mapping(name="a cost {amount, currency, per}", fields=(
    Field("amount", Number(maximum=1_000_000, numeric_text=True), "required", "The price as a number.", "49"),
    Field("currency", Pattern(regex="[A-Z]{3}", expects="an ISO 4217 currency code", example="USD", max_length=3),
          "optional", "ISO 4217 code; required unless amount is 0."),
    Field("per", Enum(values=COST_PER), "optional", "What the amount pays for."),
))
STACK_OBJECT = Mapping(name="stackability {part_of, leads_to}", fields=(
    Field("part_of", ListOf(item=Pattern(regex=ID_RE, expects="a credential id <provider>/<slug>",
                                         example="ibm/data-science-professional", max_length=200)),
          "optional", "Larger credentials this one counts toward."),
    Field("leads_to", ListOf(item=Pattern(regex=ID_RE, expects="a credential id <provider>/<slug>",
                                          example="aws/solutions-architect-associate", max_length=200)),
          "optional", "Credentials this one prepares for."),
))

CREDENTIAL = Mapping(name="a credential record", fields=(
    Field("title", _TITLE, "required", "The credential's name, as text or {lang: text}.", "Data Analysis with Python"),
    Field("type", Enum(values=CREDENTIAL_TYPES), "required", "What kind of credential this is.", "certificate"),
    Field("description", _DESCRIPTION, "required", "Markdown (no raw HTML), as text or {lang: text}.", "What learners learn and do."),
    Field("url", Url(), "required", "The credential's page at the provider (https).", "https://example.org/credential"),
    Field("languages", ListOf(item=Text(max_length=40), min_items=1, max_items=20), "required",
          "Languages of instruction: codes (en, de) or names (English).", "[en]"),
    Field("skills", ListOf(item=AnyOf((Text(max_length=200), SKILL_OBJECT)), max_items=60), "recommended",
          "Skills, as names or {label, uri}; resolved against catalog/taxonomy/skills.yml."),
    Field("learning_outcomes", ListOf(item=Text(max_length=1000), max_items=40), "eu",
          "What a learner can do on completion (EU element)."),
    Field("workload", AnyOf((Text(max_length=100), WORKLOAD_OBJECT)), "eu",
          "'40 hours', 'PT40H', '3 h/week for 6 weeks', {hours: 40} or {ects: 2} (EU element)."),
    Field("duration", AnyOf((Text(max_length=100), DURATION_OBJECT)), "optional",
          "'6 weeks', '2-3 months' or {min: P2M, max: P3M}."),
    Field("level", AnyOf((Text(max_length=40), LEVEL_OBJECT)), "eu",
          "{eqf: 5}, 'EQF 5', or beginner / intermediate / advanced (EU element)."),
    Field("participation", Enum(values=PARTICIPATION_INPUT), "eu", "Form of participation (EU element)."),
    Field("assessment", AnyOf((ListOf(item=Enum(values=ASSESSMENT_TYPES), max_items=10), ASSESSMENT_OBJECT)), "eu",
          "'exam' or {type: [exam, project], supervision: proctored, id_verified: true} (EU element)."),
    Field("quality_assurance", ListOf(item=QA_OBJECT, max_items=10), "eu",
          "[{type: internal|external, body, url}] (EU element)."),
    Field("cost", AnyOf((Number(maximum=1_000_000), Text(max_length=100),
                         ListOf(item=AnyOf((Text(max_length=100), COST_OBJECT)), max_items=10, single=False),
                         COST_OBJECT)), "recommended",
          "free, 'USD 49', '$49', '49 EUR' or {amount, currency, per}."),
    Field("prerequisites", ListOf(item=Text(max_length=1000), max_items=30), "optional", "What a learner needs first."),
    Field("stackability", STACK_OBJECT, "optional", "{part_of: [ids], leads_to: [ids]}."),
    Field("occupations", ListOf(item=Pattern(regex=r"(?:(?:SOC|ISCO|O\*NET)[ -]?)?\d{1,4}(?:-\d{4}(?:\.\d{2})?)?",
                                             expects="an SOC code (15-2051) or ISCO code (2511)",
                                             example="15-2051", max_length=30), max_items=30), "optional",
          "SOC or ISCO-08 occupation codes."),
    Field("status", Enum(values=STATUSES), "optional", "active (default) or retired."),
    Field("tags", ListOf(item=Text(max_length=60), max_items=30), "optional", "Keywords."),
    Field("last_verified", _DATE, "recommended", "When the record was last checked against the provider's page."),
))

PROVIDER = Mapping(name="a provider record", fields=(
    Field("name", Text(max_length=200), "required", "Display name.", "Example University"),
    Field("url", Url(), "required", "Home page (https).", "https://example.org"),
    Field("country", Text(max_length=80), "required", "ISO 3166-1 alpha-2 code or English name.", "US"),
    Field("description", Text(max_length=10_000), "optional", "Markdown, no raw HTML."),
    Field("maintainers", ListOf(item=Pattern(regex=r"@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9._-]+)?",
                                             expects="a repository handle", example="octocat", max_length=80),
                                max_items=50), "optional",
          "Repository handles allowed to change this folder."),
))

NEEDS = {f.name: f.need for f in CREDENTIAL.fields}


def json_schema(kind: Literal["credential", "provider"]) -> dict:
    """The published JSON Schema (draft 2020-12) for a provider's YAML record."""
    shape = CREDENTIAL if kind == "credential" else PROVIDER
    body = shape.schema()
    title = "credcat credential record" if kind == "credential" else "credcat provider record"
    return {"$schema": SCHEMA_DRAFT, "$id": f"{SCHEMA_BASE}{kind}.schema.json", "title": title,
            "description": f"The lenient YAML form providers write for a {kind}; see CONTRIBUTING.md.", **body}
