"""The credential page's values, built in Python so its template is layout only.

A catalog has a credential page per record, the bulk of every build: each fact is formatted
here once with f-strings and html.escape (the template's own expressions and filters cost about
three times as much). theme/templates/credential.html decides where each value goes.
"""
from __future__ import annotations

from functools import lru_cache
from html import escape
from typing import Callable, Sequence

from markupsafe import Markup

from ..catalog import Catalog
from ..config import Config
from ..jsonld import credential_graph
from ..model import Assessment, Cost, Credential, Level, Provider, Skill, Workload
from ..seal import BAND_LABELS
from . import cards
from . import format as fmt

BASE = "../../../"  # credentials/<provider>/<slug>/ -> site root
NOT_STATED = "Not stated"


# Each fact depends on one value that recurs across thousands of records (a provider, a workload,
# a price...), so its HTML is made once per value. Keys are the frozen values themselves, never ids:
# a provider edited between two builds is a new key. Caps bound what untrusted records can make.

@lru_cache(maxsize=4096)
def _provider(provider: Provider) -> tuple[str, str]:
    """(the 'Provider' fact, the breadcrumb's items up to the provider) of a provider's credentials."""
    fact = (f'<a href="{BASE}providers/{provider.id}/">{escape(provider.name)}</a> '
            f'({escape(fmt.country_name(provider.country))})')
    return fact, cards.breadcrumb_items(BASE, (("Providers", "providers/"), (provider.name, f"providers/{provider.id}/")))


@lru_cache(maxsize=4096)
def _level(level: Level | None) -> str:
    parts = []
    if level and level.eqf is not None:
        parts.append(f'<a href="{BASE}browse/level/eqf-{level.eqf}/">EQF level {level.eqf}</a>')
    if level and level.audience:
        label = fmt.AUDIENCE_LABELS.get(level.audience, level.audience.capitalize())
        parts.append(f'<a href="{BASE}browse/level/{escape(level.audience)}/">{label}</a>')
    return " · ".join(parts) or NOT_STATED


@lru_cache(maxsize=4096)
def _workload(value: Workload | None) -> str:
    return fmt.workload(value) or NOT_STATED


@lru_cache(maxsize=4096)
def _assessment(value: Assessment | None) -> str:
    return escape(fmt.assessment(value)) or NOT_STATED


@lru_cache(maxsize=4096)
def _cost(values: tuple[Cost, ...]) -> str:
    return escape(fmt.cost(values)) or NOT_STATED


@lru_cache(maxsize=4096)
def _languages(tags: tuple[str, ...]) -> str:
    return escape(", ".join(fmt.language_name(lang) for lang in tags))


@lru_cache(maxsize=4096)
def _verified(day: str | None) -> str:
    return f'<time datetime="{day}">{fmt.long_date(day)}</time>' if day else "Never"


def facts(cred: Credential) -> Markup:
    """The 'At a glance' rows as <div><dt>…</dt><dd>…</dd></div>."""
    participation = cred.participation
    return Markup(
        f"<div><dt>Type</dt><dd>{fmt.type_label(cred.type)}</dd></div>\n"
        f"<div><dt>Provider</dt><dd>{_provider(cred.provider)[0]}</dd></div>\n"
        f"<div><dt>Workload</dt><dd>{_workload(cred.workload)}</dd></div>\n"
        f"<div><dt>Duration</dt><dd>{escape(fmt.duration(cred.duration)) or NOT_STATED}</dd></div>\n"
        f"<div><dt>Level</dt><dd>{_level(cred.level)}</dd></div>\n"
        "<div><dt>Participation</dt><dd>"
        f"{escape(fmt.PARTICIPATION_LABELS.get(participation, participation)) if participation else NOT_STATED}</dd></div>\n"
        f"<div><dt>Assessment</dt><dd>{_assessment(cred.assessment)}</dd></div>\n"
        f"<div><dt>Cost</dt><dd>{_cost(cred.cost)}</dd></div>\n"
        f"<div><dt>Languages</dt><dd>{_languages(cred.languages)}</dd></div>\n"
        f"<div><dt>Status</dt><dd>{'Retired' if cred.retired else 'Active'}</dd></div>\n"
        f"<div><dt>Last verified</dt><dd>{_verified(cred.last_verified)}</dd></div>")


@lru_cache(maxsize=16384)
def _skill_item(skill: Skill) -> tuple[str, str]:
    """(group, <li>) of one skill as credentials state it."""
    label = escape(skill.label)
    if skill.id and skill.kind == "power":
        return "power", (f'<li><a href="{BASE}skills/{skill.id}/">{label}</a> '
                         '<span class="credcat-tag credcat-tag--power">Power skill</span></li>')
    if skill.id and skill.kind == "technical":
        return "technical", f'<li><a href="{BASE}skills/{skill.id}/">{label}</a></li>'
    return "unknown", f"<li>{label}</li>"


_SKILL_GROUPS = (("technical", "Technical skills", ""), ("power", "Power skills", " credcat-skills--power"),
                 ("unknown", "Other skills", " credcat-skills--other"))


def _skills(cred: Credential) -> list[tuple[str, str, Markup]]:
    """(heading, extra class, <li> items) for technical, power and unknown skills, in that order."""
    if not cred.skills:
        return []
    groups: dict[str, list[str]] = {"technical": [], "power": [], "unknown": []}
    for skill in cred.skills:
        group, item = _skill_item(skill)
        groups[group].append(item)
    return [(heading, css, Markup("".join(groups[key]))) for key, heading, css in _SKILL_GROUPS if groups[key]]


def _quality(cred: Credential) -> list[Markup]:
    items = []
    for qa in cred.quality_assurance:
        text = "External" if qa.type == "external" else "Internal"
        if qa.body:
            url = fmt.safe_url(qa.url)
            body = f'<a href="{escape(url)}" rel="noopener nofollow">{escape(qa.body)}</a>' if url else escape(qa.body)
            text += f": {body}"
        items.append(Markup(text))
    return items


def _stack(cred: Credential, catalog: Catalog) -> list[tuple[str, list[Markup]]]:
    lists = (("Part of", cred.part_of), ("Made up of", catalog.part_of_reverse.get(cred.id, ())),
             ("Leads to", cred.leads_to), ("Follows on from", catalog.leads_to_reverse.get(cred.id, ())))
    return [(label, [cards.cred_link(BASE, cid, catalog.by_id.get(cid)) for cid in ids]) for label, ids in lists if ids]


def _data_note(cred: Credential) -> str:
    extra = ""
    if cred.occupations:
        extra += "; occupations " + ", ".join(f"{o.scheme.upper()} {o.code}" for o in cred.occupations)
    if cred.tags:
        extra += "; tags: " + ", ".join(cred.tags)
    return extra


def credential_context(cred: Credential, catalog: Catalog, related: Sequence[Credential],
                       summary: str | None = None) -> dict:
    """Every value credential.html shows, ready to print (str is escaped by the template, Markup is not).

    `summary` is cred.summary when the caller has it already (the property splits the description).
    """
    seal = cred.seal
    provider = cred.provider
    name = cred.name
    retired = cred.retired
    return {
        "cred": cred, "name": name, "lang": fmt.title_lang(cred), "kind": fmt.type_label(cred.type),
        "provider_name": provider.name, "provider_id": provider.id, "retired": retired,
        "other_titles": [(lang, text, fmt.language_name(lang)) for lang, text in cred.title[1:]],
        "summary": cred.summary if summary is None else summary, "url": fmt.safe_url(cred.url),
        "button": f"See it at {provider.name}" if not retired else "Provider's page (retired)",
        "compare": Markup(cards.compare_button(cred)),
        "breadcrumb": cards.breadcrumb_nav(_provider(provider)[1]
                                           + cards.breadcrumb_items(BASE, ((name, None),), home=False)),
        "seal": seal, "band": BAND_LABELS[seal.band] if seal else "", "missing": seal.missing if seal else (),
        "facts": facts(cred),
        "descriptions": [(lang, fmt.language_name(lang), Markup(html)) for lang, html in cred.description_html],
        "outcomes": cred.learning_outcomes, "skills": _skills(cred), "prerequisites": cred.prerequisites,
        "quality": _quality(cred) if cred.quality_assurance else [], "stack": _stack(cred, catalog),
        "related": cards.card_list(related, BASE, "h3") if related else "",
        "api_path": f"api/v1/credentials/{cred.id}.json", "data_note": _data_note(cred),
    }


def credential_spec_parts(cred: Credential, catalog: Catalog, config: Config,
                          related: Callable[[Credential], list[Credential]] | None = None) -> tuple[str, dict, dict]:
    """(description, template values, JSON-LD) of a credential page."""
    summary = cred.summary
    description = summary or f"{fmt.type_label(cred.type)} by {cred.provider.name}."
    found = related(cred) if related else catalog.related(cred)
    return description, credential_context(cred, catalog, found, summary), credential_graph(cred, config)
