"""Which pages the catalog has: one `PageSpec` per output page, with the values its template reads.

Nothing here touches the disk or a template; `render.render_pages` turns specs into files. Every
grouping comes ready-made from the Catalog (index stage), so each page costs only its own items.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from typing import Any, Callable, Iterable, Iterator, Sequence

from markupsafe import Markup

from ..cache import Fingerprints, sign_as
from ..catalog import Catalog, list_groups
from ..config import Config
from ..feeds import paths
from ..jsonld import provider_graph
from ..model import Credential, Provider, TaxonomySkill
from ..seal import BAND_LABELS, band_for
from . import charts
from .credential import credential_spec_parts
from .format import AUDIENCE_LABELS, TYPE_PLURALS, country_name, type_label
from .related import RelatedIndex


@dataclass
class PageSpec:
    """One page to render: where it goes, which template, its texts and its template values."""

    path: str  # site-relative folder URL, '' for the root, else ending in '/'
    template: str
    name: str  # the page's own title: h1, header, <title> before the site name
    description: str
    context: dict = field(default_factory=dict)
    jsonld: dict | None = None
    prev: str | None = None  # site-relative paths of neighbouring pages of a paginated list
    next: str | None = None
    styles: tuple[str, ...] = ()  # site-relative stylesheets of this page only (in <head>)
    scripts: tuple[str, ...] = ()  # site-relative scripts of this page only (end of <body>, in order)

    @property
    def depth(self) -> int:
        """How many folders below the site root the page is."""
        return self.path.count("/")


def page_path(prefix: str, number: int) -> str:
    """The site-relative path of page `number` of the list whose first page is `prefix`."""
    return prefix if number == 1 else f"{prefix}page/{number}/"


@dataclass(frozen=True)
class Pager:
    """One page of a paginated list."""

    number: int
    count: int
    total: int
    items: Sequence[Credential]
    prefix: str  # the list's first page, e.g. 'providers/ibm/'
    size: int

    def path_of(self, number: int) -> str:
        """The site-relative path of page `number` of this list."""
        return page_path(self.prefix, number)

    @property
    def path(self) -> str:
        """This page's site-relative path."""
        return self.path_of(self.number)

    @property
    def numbers(self) -> list[int | None]:
        """Page numbers to link: first, last and neighbours, None for a gap."""
        wanted = sorted({1, self.count, *range(max(1, self.number - 2), min(self.count, self.number + 2) + 1)})
        out: list[int | None] = []
        for n in wanted:
            if out and out[-1] is not None and n - out[-1] > 1:  # type: ignore[operator]
                out.append(None)
            out.append(n)
        return out

    @property
    def first(self) -> int:
        """The 1-based position of this page's first item in the whole list."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last(self) -> int:
        """The 1-based position of this page's last item in the whole list."""
        return self.first + len(self.items) - 1 if self.items else 0


def _pager_signed(pager: Pager, fingerprints: Fingerprints) -> tuple:
    """A Pager in a page's signature: each of its fields, its items by their fingerprints (cache.sign_as)."""
    return ("pager", pager.number, pager.count, pager.total, pager.prefix, pager.size,
            b"".join(map(fingerprints.of, pager.items)))


sign_as(Pager, _pager_signed)


def paginate(items: Sequence[Credential], size: int, prefix: str, numbers: range | None = None) -> list[Pager]:
    """Split a list into pages of `size` (at least one page, even when empty); `numbers`: just those pages."""
    count = page_count(len(items), size)
    return [Pager(n, count, len(items), items[(n - 1) * size: n * size], prefix, size)
            for n in (numbers if numbers is not None else range(1, count + 1))]


def listing_order(creds: Sequence[Credential]) -> list[Credential]:
    """Active credentials before retired ones, each by title then id: what a learner scans.

    Three stable sorts, the last key first, each on one plain value: the order of a sort by
    (retired, title casefolded, id), in under half its time (0.16 s against 0.36 s for 100,000).
    """
    order = sorted(creds, key=attrgetter("id"))
    order.sort(key=lambda c: c.name.casefold())
    order.sort(key=attrgetter("retired"))
    return order


_PREPARED: dict[int, tuple[Sequence[Credential], list[Credential], object]] = {}  # id(list) -> (list, order, summary)


def prepare_lists(catalog: Catalog) -> None:
    """Sort every list of the catalog and sum up every provider's, once, here.

    Called by the render stage before it forks workers: a worker then reads only the credentials
    on the pages it renders, not every credential of a list it renders a few pages of (sorting a
    list reads all of them, and each page read is copied into the worker).
    """
    _PREPARED.clear()
    # The whole catalog sorted once, then its lists made again from it, as the catalog makes them
    # (catalog.list_groups): each comes out in listing order, which is a total one, with no sort.
    ordered = list_groups(listing_order(catalog.credentials))
    for name, lists in (("provider", catalog.by_provider), ("skill", catalog.by_skill), ("type", catalog.by_type),
                        ("eqf", catalog.by_eqf), ("audience", catalog.by_audience)):
        for value, creds in lists.items():
            order = ordered[name].get(value)
            if order is None or len(order) != len(creds):  # not the catalog's own list (a catalog made by hand)
                order = listing_order(creds)
            _PREPARED[id(creds)] = (creds, order, None)
    for creds in catalog.by_provider.values():
        _PREPARED[id(creds)] = (creds, _PREPARED[id(creds)][1], _provider_summary(creds))


def forget_lists() -> None:
    """Drop what prepare_lists kept (it holds the catalog's lists)."""
    _PREPARED.clear()


def in_order(creds: Sequence[Credential]) -> list[Credential]:
    """A catalog list in listing order: sorted beforehand (prepare_lists) if it was."""
    found = _PREPARED.get(id(creds))
    return found[1] if found is not None and found[0] is creds else listing_order(creds)


def _summary(creds: Sequence[Credential]) -> tuple[SealSummary, list[tuple[str, int]]]:
    """A provider's list's average seal and counts by type: worked out beforehand if they were."""
    found = _PREPARED.get(id(creds))
    return found[2] if found is not None and found[0] is creds and found[2] is not None else _provider_summary(creds)  # type: ignore[return-value]


def page_count(count: int, size: int) -> int:
    """How many pages of `size` a list of `count` items takes (at least one, even when empty)."""
    return max(1, -(-count // size))


def list_page_count(count: int, config: Config) -> int:
    """How many pages a list of `count` credentials takes under the config's page size."""
    return page_count(count, config.browse_page_size)


def _list_pages(creds: Sequence[Credential], config: Config, prefix: str, template: str, name: str,
                description: str, context: dict, pages: range | None = None) -> Iterator[PageSpec]:
    """The pages of a list (`pages`: just these page numbers, 1-based)."""
    for pager in paginate(in_order(creds), config.browse_page_size, prefix, pages):
        suffix = f" (page {pager.number} of {pager.count})" if pager.count > 1 else ""
        yield PageSpec(pager.path, template, name + suffix, description,
                       {**context, "pager": pager, "heading": name},
                       prev=pager.path_of(pager.number - 1) if pager.number > 1 else None,
                       next=pager.path_of(pager.number + 1) if pager.number < pager.count else None)


# --- credentials --------------------------------------------------------------------------------

def credential_page(cred: Credential, catalog: Catalog, config: Config,
                    related: Callable[[Credential], list[Credential]] | None = None) -> PageSpec:
    """The page of one credential (`related` answers as Catalog.related does, faster: see related.py)."""
    description, context, graph = credential_spec_parts(cred, catalog, config, related)
    return PageSpec(f"credentials/{cred.id}/", "credential.html", cred.name, description, context, jsonld=graph)


# --- providers ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SealSummary:
    """The average seal of a group of credentials."""

    count: int
    average: float  # mean score out of 10
    out_of: int

    @property
    def band(self) -> str:
        """The seal band of the average score."""
        return band_for(int(self.average))

    @property
    def band_label(self) -> str:
        """The band as learners read it."""
        return BAND_LABELS[self.band]

    @property
    def text(self) -> str:
        """'7.5 of 10'."""
        return f"{self.average:.1f} of {self.out_of}"


def seal_summary(creds: Sequence[Credential]) -> SealSummary:
    """Mean seal score of `creds` (0 when there are none)."""
    scored = [c.seal for c in creds if c.seal]
    if not scored:
        return SealSummary(0, 0.0, 10)
    return SealSummary(len(scored), round(sum(s.score for s in scored) / len(scored), 1), scored[0].out_of)


def _provider_summary(creds: Sequence[Credential]) -> tuple[SealSummary, list[tuple[str, int]]]:
    """A provider's average seal and its counts by type."""
    return seal_summary(creds), _count_by(creds, lambda c: type_label(c.type))


def provider_pages(provider: Provider, catalog: Catalog, config: Config, pages: range | None = None) -> Iterator[PageSpec]:
    """A provider's pages: its details and average seal, then its credentials, paginated (`pages`: just these)."""
    creds = catalog.by_provider.get(provider.id, [])
    seal, types = _summary(creds)
    context = {"provider": provider, "seal": seal, "country": country_name(provider.country), "types": types}
    description = f"{len(creds)} credential{'s' if len(creds) != 1 else ''} from {provider.name}, with their quality seals."
    for spec in _list_pages(creds, config, list_path("provider", provider.id), "provider.html", provider.name, description,
                            context, pages):
        if spec.context["pager"].number == 1:
            spec.jsonld = provider_graph(provider, config)
        yield spec


def providers_index(catalog: Catalog) -> PageSpec:
    """All providers, with their counts and average seals."""
    rows = [(p, len(catalog.by_provider.get(p.id, [])), _summary(catalog.by_provider.get(p.id, []))[0])
            for p in catalog.providers.values()]
    rows.sort(key=lambda r: (r[0].name.casefold(), r[0].id))
    return PageSpec("providers/", "providers.html", "Providers",
                    f"All {len(rows)} providers in the catalog, with their credentials and average quality seal.",
                    {"rows": rows})


# --- skills -------------------------------------------------------------------------------------

def skill_pages(skill: TaxonomySkill, catalog: Catalog, config: Config, pages: range | None = None) -> Iterator[PageSpec]:
    """A skill's pages: what it is, then the credentials that teach it (`pages`: just these)."""
    creds = catalog.by_skill.get(skill.id, [])
    kind = "Power skill" if skill.kind == "power" else "Technical skill"
    description = f"{kind}: {len(creds)} credential{'s' if len(creds) != 1 else ''} teaching {skill.label}."
    yield from _list_pages(creds, config, list_path("skill", skill.id), "skill.html", skill.label, description,
                           {"skill": skill, "kind_label": kind}, pages)


def skills_index(catalog: Catalog) -> PageSpec:
    """Every taxonomy skill, technical and power apart, with how many credentials teach each."""
    groups: dict[str, list[tuple[TaxonomySkill, int]]] = {"technical": [], "power": []}
    for skill in sorted(catalog.taxonomy.skills.values(), key=lambda s: (s.label.casefold(), s.id)):
        groups.setdefault(skill.kind, []).append((skill, len(catalog.by_skill.get(skill.id, ()))))
    return PageSpec("skills/", "skills.html", "Skills",
                    "Technical and power skills, and the credentials that teach them.", {"groups": groups})


# --- browse -------------------------------------------------------------------------------------

LIST_PATHS: dict[str, Callable[[Any], str]] = {  # by catalog.list_groups' names
    "provider": paths.provider_page_path, "skill": paths.skill_page_path, "type": "browse/type/{}/".format,
    "eqf": "browse/level/eqf-{}/".format, "audience": "browse/level/{}/".format}


def list_path(kind: str, value: Any) -> str:
    """The first page's path of the catalog's list of `kind` (a name of catalog.list_groups) for `value`: the one
    rule for the pages (provider_pages, skill_pages, browse_groups) and for which lists stand (list_sources)."""
    return LIST_PATHS[kind](value)


def lists_holding(catalog: Catalog, ids: Iterable[str]) -> set[str]:
    """The first pages' paths of the lists that hold any of the credentials `ids` (those still in the catalog)."""
    creds = [catalog.by_id[cid] for cid in ids if cid in catalog.by_id]
    return {list_path(kind, value) for kind, lists in list_groups(creds).items() for value in lists}


def browse_groups(catalog: Catalog) -> dict[str, list[tuple[str, str, int]]]:
    """(path, label, count) of every browse list: by type, by EQF level, by audience."""
    return {
        "type": [(list_path("type", t), TYPE_PLURALS.get(t, type_label(t)), len(c)) for t, c in catalog.by_type.items()],
        "eqf": [(list_path("eqf", n), f"EQF level {n}", len(c)) for n, c in catalog.by_eqf.items()],
        "audience": [(list_path("audience", a), AUDIENCE_LABELS.get(a, a.capitalize()), len(c))
                     for a, c in sorted(catalog.by_audience.items(), key=lambda kv: list(AUDIENCE_LABELS).index(kv[0])
                                        if kv[0] in AUDIENCE_LABELS else 99)],
    }


def browse_index(catalog: Catalog) -> PageSpec:
    """The browse index: every list by type and by level, with its count."""
    return PageSpec("browse/", "browse_index.html", "Browse",
                    "Browse micro-credentials by type and by level.", {"groups": browse_groups(catalog)})


def browse_lists(catalog: Catalog) -> list[tuple[str, str, list[Credential], str]]:
    """(path, label, credentials, axis) of every browse list: by type, by EQF level, by audience."""
    groups = browse_groups(catalog)
    return ([(path, label, catalog.by_type[t], "type") for (path, label, _), t in zip(groups["type"], catalog.by_type)]
            + [(path, label, catalog.by_eqf[n], "level") for (path, label, _), n in zip(groups["eqf"], catalog.by_eqf)]
            + [(path, label, catalog.by_audience[path.split("/")[2]], "level") for path, label, _ in groups["audience"]])


def browse_list_pages(source: tuple[str, str, list[Credential], str], config: Config,
                      pages: range | None = None) -> Iterator[PageSpec]:
    """The pages of one browse list (`pages`: just these)."""
    path, label, creds, axis = source
    description = f"{len(creds)} credential{'s' if len(creds) != 1 else ''}: {label.lower() if axis == 'type' else label}."
    yield from _list_pages(creds, config, path, "browse.html", label, description, {"axis": axis}, pages)


def browse_pages(catalog: Catalog, config: Config) -> Iterator[PageSpec]:
    """Lists by type and by level (EQF and audience), and the browse index."""
    yield browse_index(catalog)
    for source in browse_lists(catalog):
        yield from browse_list_pages(source, config)


# --- site pages ---------------------------------------------------------------------------------

def stats_page(catalog: Catalog, config: Config) -> PageSpec:
    """Statistics, drawn at build time."""
    return PageSpec("stats/", "stats.html", "Statistics",
                    f"The catalog in numbers: {len(catalog.credentials)} credentials by type, level, provider, skills, "
                    "quality seal and freshness.", {"charts": charts.catalog_charts(catalog), "as_of": catalog.as_of})


def compare_page() -> PageSpec:
    """The compare view (filled in the browser from the credentials' JSON)."""
    return PageSpec("compare/", "compare.html", "Compare credentials",
                    "Compare up to four micro-credentials side by side: cost, workload, level, assessment, "
                    "quality assurance, skills and quality seal.", scripts=("assets/credcat/compare.js",))


def search_page() -> PageSpec:
    """The search page: our no-JS form inside #credcat-search, then the search stage's body, styles and scripts."""
    from ..search import search_page_body, search_scripts, search_styles

    return PageSpec("search/", "search.html", "Search", "Search the catalog of micro-credentials.",
                    {"search_body": Markup(search_page_body())}, styles=tuple(search_styles()),
                    scripts=tuple(search_scripts()))


def all_pages(catalog: Catalog, config: Config) -> Iterator[PageSpec]:
    """Every page the catalog contributes to the site, credential pages first (they are the bulk)."""
    yield from credential_pages(catalog, config, catalog.credentials)
    yield from other_pages(catalog, config)


def credential_pages(catalog: Catalog, config: Config, creds: Sequence[Credential]) -> Iterator[PageSpec]:
    """The pages of `creds` (a slice of the catalog's credentials)."""
    related = related_index(catalog).related
    for cred in creds:
        yield credential_page(cred, catalog, config, related)


_RELATED: dict[int, RelatedIndex] = {}


def related_index(catalog: Catalog) -> RelatedIndex:
    """The catalog's RelatedIndex, built once per catalog per process."""
    found = _RELATED.get(id(catalog))
    if found is None or found.catalog is not catalog:
        _RELATED.clear()
        found = _RELATED[id(catalog)] = RelatedIndex(catalog)
    return found


def other_pages(catalog: Catalog, config: Config) -> Iterator[PageSpec]:
    """Providers, skills, browse lists, statistics, compare and search."""
    for group in page_groups(catalog, config):
        yield from group()


def page_groups(catalog: Catalog, config: Config) -> list[Callable[..., Iterator[PageSpec]]]:
    """`other_pages` as groups that can be rendered apart (in order: a provider's pages, a skill's, ...).

    A list's group takes `pages=range(first, stop)` for just those page numbers; see group_sizes.
    """
    def one(make: Callable[[], PageSpec]) -> Callable[..., Iterator[PageSpec]]:
        return lambda pages=None: iter([make()])

    groups: list[Callable[..., Iterator[PageSpec]]] = [
        partial(provider_pages, provider, catalog, config) for provider in catalog.providers.values()]
    groups.append(one(lambda: providers_index(catalog)))
    groups += [partial(skill_pages, skill, catalog, config)
               for skill in sorted(catalog.taxonomy.skills.values(), key=lambda s: s.id)]
    groups.append(one(lambda: skills_index(catalog)))
    groups.append(one(lambda: browse_index(catalog)))
    groups += [partial(browse_list_pages, source, config) for source in browse_lists(catalog)]
    groups.append(lambda pages=None: iter([stats_page(catalog, config), compare_page(), search_page()]))
    return groups


def list_sources(catalog: Catalog) -> list[tuple[str, Sequence[Credential]] | None]:
    """For each of `page_groups`: (its first page's path, the credentials it lists) if it is a list, else None."""
    sources: list[tuple[str, Sequence[Credential]] | None] = [
        (list_path("provider", pid), catalog.by_provider.get(pid, [])) for pid in catalog.providers]
    sources.append(None)  # the providers' index
    sources += [(list_path("skill", skill.id), catalog.by_skill.get(skill.id, []))
                for skill in sorted(catalog.taxonomy.skills.values(), key=lambda s: s.id)]
    sources += [None, None]  # the skills' index, the browse index
    sources += [(path, creds) for path, _, creds, _ in browse_lists(catalog)]
    sources.append(None)  # the statistics, compare and search pages
    return sources


def group_sizes(catalog: Catalog, config: Config) -> list[tuple[int, int]]:
    """For each of `page_groups`: (roughly how much work it is, the credentials it lists plus one; its
    number of pages if it is a list, which can be rendered a range of pages at a time, else 0)."""
    others = [len(catalog.providers), len(catalog.taxonomy.skills), 1, 3]  # the groups that are not lists, in order
    return [(len(source[1]) + 1, list_page_count(len(source[1]), config)) if source is not None else (others.pop(0), 0)
            for source in list_sources(catalog)]


def _count_by(creds: Sequence[Credential], key) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for cred in creds:
        counts[key(cred)] = counts.get(key(cred), 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

