"""The credential page's values, built in Python so its template is layout only.

A catalog has a credential page per record, the bulk of every build: each fact is formatted
here once with f-strings and html.escape (the template's own expressions and filters cost about
three times as much). theme/templates/credential.html decides where each value goes.
"""
from __future__ import annotations

from html import escape
from typing import Callable, Sequence

from markupsafe import Markup

from ..catalog import Catalog
from ..config import Config
from ..jsonld import credential_graph
from ..model import Credential
from ..seal import BAND_LABELS
from . import cards
from . import format as fmt

BASE = "../../../"  # credentials/<provider>/<slug>/ -> site root
NOT_STATED = "Not stated"


def _level(cred: Credential) -> str:
    level = cred.level
    parts = []
    if level and level.eqf is not None:
        parts.append(f'<a href="{BASE}browse/level/eqf-{level.eqf}/">EQF level {level.eqf}</a>')
    if level and level.audience:
        label = fmt.AUDIENCE_LABELS.get(level.audience, level.audience.capitalize())
        parts.append(f'<a href="{BASE}browse/level/{escape(level.audience)}/">{label}</a>')
    return " · ".join(parts) or NOT_STATED


def facts(cred: Credential) -> Markup:
    """The 'At a glance' rows as <div><dt>…</dt><dd>…</dd></div>."""
    provider = cred.provider
    verified = (f'<time datetime="{cred.last_verified}">{fmt.long_date(cred.last_verified)}</time>'
                if cred.last_verified else "Never")
    rows = (
        ("Type", fmt.type_label(cred.type)),
        ("Provider", f'<a href="{BASE}providers/{provider.id}/">{escape(provider.name)}</a> '
                     f'({escape(fmt.country_name(provider.country))})'),
        ("Workload", fmt.workload(cred.workload) or NOT_STATED),
        ("Duration", escape(fmt.duration(cred.duration)) or NOT_STATED),
        ("Level", _level(cred)),
        ("Participation", escape(fmt.PARTICIPATION_LABELS.get(cred.participation, cred.participation))
         if cred.participation else NOT_STATED),
        ("Assessment", escape(fmt.assessment(cred.assessment)) or NOT_STATED),
        ("Cost", escape(fmt.cost(cred.cost)) or NOT_STATED),
        ("Languages", escape(", ".join(fmt.language_name(lang) for lang in cred.languages))),
        ("Status", "Retired" if cred.retired else "Active"),
        ("Last verified", verified),
    )
    return Markup("\n".join(f"<div><dt>{label}</dt><dd>{value}</dd></div>" for label, value in rows))


def _skills(cred: Credential) -> list[tuple[str, str, Markup]]:
    """(heading, extra class, <li> items) for technical, power and unknown skills, in that order."""
    groups: dict[str, list[str]] = {"technical": [], "power": [], "unknown": []}
    for skill in cred.skills:
        label = escape(skill.label)
        if skill.id and skill.kind == "power":
            groups["power"].append(f'<li><a href="{BASE}skills/{skill.id}/">{label}</a> '
                                   '<span class="credcat-tag credcat-tag--power">Power skill</span></li>')
        elif skill.id and skill.kind == "technical":
            groups["technical"].append(f'<li><a href="{BASE}skills/{skill.id}/">{label}</a></li>')
        else:
            groups["unknown"].append(f"<li>{label}</li>")
    named = (("technical", "Technical skills", ""), ("power", "Power skills", " credcat-skills--power"),
             ("unknown", "Other skills", " credcat-skills--other"))
    return [(heading, css, Markup("".join(groups[key]))) for key, heading, css in named if groups[key]]


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


def credential_context(cred: Credential, catalog: Catalog, related: Sequence[Credential]) -> dict:
    """Every value credential.html shows, ready to print (str is escaped by the template, Markup is not)."""
    seal = cred.seal
    url = fmt.safe_url(cred.url)
    return {
        "cred": cred, "name": cred.name, "lang": fmt.title_lang(cred), "kind": fmt.type_label(cred.type),
        "provider_name": cred.provider.name, "provider_id": cred.provider.id, "retired": cred.retired,
        "other_titles": [(lang, text, fmt.language_name(lang)) for lang, text in cred.title[1:]],
        "summary": cred.summary, "url": url,
        "button": f"See it at {cred.provider.name}" if not cred.retired else "Provider's page (retired)",
        "compare": Markup(cards.compare_button(cred)),
        "breadcrumb": cards.breadcrumb(BASE, (("Providers", "providers/"),
                                              (cred.provider.name, f"providers/{cred.provider.id}/"), (cred.name, None))),
        "seal": seal, "band": BAND_LABELS[seal.band] if seal else "", "missing": seal.missing if seal else (),
        "facts": facts(cred),
        "descriptions": [(lang, fmt.language_name(lang), Markup(html)) for lang, html in cred.description_html],
        "outcomes": cred.learning_outcomes, "skills": _skills(cred), "prerequisites": cred.prerequisites,
        "quality": _quality(cred), "stack": _stack(cred, catalog),
        "related": cards.card_list(related, BASE, "h3") if related else "",
        "api_path": f"api/v1/credentials/{cred.id}.json", "data_note": _data_note(cred),
    }


def credential_spec_parts(cred: Credential, catalog: Catalog, config: Config,
                          related: Callable[[Credential], list[Credential]] | None = None) -> tuple[str, dict, dict]:
    """(description, template values, JSON-LD) of a credential page."""
    description = cred.summary or f"{fmt.type_label(cred.type)} by {cred.provider.name}."
    found = related(cred) if related else catalog.related(cred)
    return description, credential_context(cred, catalog, found), credential_graph(cred, config)
