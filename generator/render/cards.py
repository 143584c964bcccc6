"""Credential cards: the one list item every list page and 'related' section repeats.

A site of N credentials shows ~10 N cards (provider, skill, type and level lists, related
credentials), so a card is built here with f-strings and html.escape (~5 µs) rather than as a
Jinja2 macro (~40 µs): at 20,000 credentials that is the difference between 1 s and 10 s.
The markup matches theme/templates/_macros.html's conventions (classes credcat-card*).
"""
from __future__ import annotations

from html import escape
from typing import Iterable

from markupsafe import Markup

from ..model import Credential
from ..seal import BAND_LABELS
from . import format as fmt


def _meta(cred: Credential) -> str:
    parts = [fmt.type_label(cred.type), escape(cred.provider.name)]
    if cred.level and (cred.level.eqf is not None or cred.level.audience):
        parts.append(fmt.level(cred.level))
    if cred.workload:
        parts.append(fmt.workload(cred.workload))
    if cred.cost:
        parts.append(escape(fmt.cost(cred.cost)))
    text = " · ".join(f"<span>{p}</span>" for p in parts)
    if cred.retired:
        text += ' · <strong class="credcat-tag credcat-tag--retired">Retired</strong>'
    return text


def seal_badge(cred: Credential) -> str:
    """The small seal badge of a card."""
    seal = cred.seal
    if seal is None:
        return ""
    return (f'<span class="credcat-seal-badge credcat-seal-badge--{seal.band}" title="Quality seal: {seal.score} of '
            f'{seal.out_of} catalog elements stated">Seal {seal.score}/{seal.out_of} · {BAND_LABELS[seal.band]}</span>')


def compare_button(cred: Credential) -> str:
    """The 'Add to compare' toggle; hidden until credcat.js shows it (it needs JavaScript)."""
    return (f'<button type="button" class="md-button credcat-compare-toggle" data-credcat-compare="{cred.id}" '
            f'aria-pressed="false" hidden>Add to compare<span class="credcat-visually-hidden">: '
            f'{escape(cred.name)}</span></button>')


_CACHE: dict[str, tuple[str, str, str]] = {}
CACHE_SIZE = 100_000  # cards kept between pages (~0.7 KB each); past it the cache starts over


def _parts(cred: Credential) -> tuple[str, str, str]:
    """The parts of a card that do not depend on the page: <li> open, link tail, the rest."""
    found = _CACHE.get(cred.id)
    if found is None:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.clear()
        summary = cred.summary
        found = _CACHE[cred.id] = (
            f'<li class="credcat-card{" credcat-card--retired" if cred.retired else ""}">',
            f'credentials/{cred.id}/" lang="{escape(fmt.title_lang(cred))}">{escape(cred.name)}</a>',
            f'<p class="credcat-card__meta">{_meta(cred)}</p>'
            + (f'<p class="credcat-card__summary">{escape(summary)}</p>' if summary else "")
            + f'<p class="credcat-card__actions">{seal_badge(cred)} {compare_button(cred)}</p></li>\n')
    return found


def clear_cache() -> None:
    """Forget cached cards (a new build may have new records under the same ids)."""
    _CACHE.clear()


def card(cred: Credential, base: str, heading: str = "h2") -> str:
    """One credential as a list item: title link, facts line, summary, seal badge, compare toggle."""
    li, link, rest = _parts(cred)
    return f'{li}<{heading} class="credcat-card__title"><a href="{base}{link}</{heading}>{rest}'


def card_list(creds: Iterable[Credential], base: str, heading: str = "h2") -> Markup:
    """A <ul> of cards (already escaped HTML, safe to insert)."""
    return Markup('<ul class="credcat-list">\n' + "".join(card(c, base, heading) for c in creds) + "</ul>")


def cred_link(base: str, cid: str, cred: Credential | None) -> Markup:
    """A link to another credential with its provider (and 'retired'), or the bare id if unknown."""
    if cred is None:
        return Markup(escape(cid))
    note = f"{escape(cred.provider.name)}, retired" if cred.retired else escape(cred.provider.name)
    return Markup(f'<a href="{base}credentials/{cred.id}/" lang="{escape(fmt.title_lang(cred))}">{escape(cred.name)}</a> '
                  f'<span class="credcat-muted">({note})</span>')


def breadcrumb(base: str, trail: Iterable[tuple[str, str | None]]) -> Markup:
    """The breadcrumb trail: Home, then (label, path) pairs; the current page has path None."""
    return breadcrumb_nav(breadcrumb_items(base, trail))


def breadcrumb_items(base: str, trail: Iterable[tuple[str, str | None]], home: bool = True) -> str:
    """The <li> items of a breadcrumb trail (Home's first unless `home` is False), for breadcrumb_nav."""
    items = [f'<li><a href="{base or "./"}">Home</a></li>'] if home else []
    for label, path in trail:
        if path is None:
            items.append(f'<li aria-current="page">{escape(label)}</li>')
        else:
            items.append(f'<li><a href="{base}{path}">{escape(label)}</a></li>')
    return "".join(items)


def breadcrumb_nav(items: str) -> Markup:
    """The breadcrumb <nav> around breadcrumb_items (a page type can keep the items of its ancestors)."""
    return Markup(f'<nav class="credcat-breadcrumb" aria-label="Breadcrumb"><ol>{items}</ol></nav>')
