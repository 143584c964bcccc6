"""Render stage: the catalog's own pages (credentials, providers, skills, browse, stats, compare, search).

Each page is a compiled Jinja2 template from theme/templates rendered straight to HTML and wrapped
in Material's chrome by the Shell: no Markdown, no MkDocs page objects, nothing in the nav.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Callable, NamedTuple, Sequence

import jinja2

from ..catalog import Catalog
from ..cache import Fingerprints, digest
from ..outputs import Kept, OutputReuse, made
from .. import processes
from ..config import Config
from ..model import Credential
from ..feeds.writer import write_text_file
from ..jsonld import script_json

from . import cards
from . import format as fmt
from .pages import (PageSpec, browse_groups, credential_page, forget_lists, group_sizes, in_order, list_page_count,
                    list_sources, lists_holding, page_groups, page_path, prepare_lists, related_index)
from .shell import Shell

THEME_DIR = Path(__file__).resolve().parents[2] / "theme"
TEMPLATES_DIR = THEME_DIR / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment for theme/templates: autoescaped, strict about undefined names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.filters.update(country=fmt.country_name, long_date=fmt.long_date, safe_url=fmt.safe_url)
    env.globals.update(cards=cards.card_list, breadcrumb=cards.breadcrumb)
    return env


def cache_templates(env: jinja2.Environment, folder: Path) -> None:
    """Keep `env`'s compiled templates under `folder` in the build cache, so the next build loads them compiled.

    Compiling Material's templates and ours took a third of a second of each build (py-spy, an
    edit at 100,000 records). Jinja's own bytecode cache checks each template's source against the
    stored code's checksum, and its Python and Jinja versions; the options templates are compiled
    with are not in that check, so they name the subfolder.
    """
    options = (jinja2.__version__, env.block_start_string, env.block_end_string, env.variable_start_string,
               env.variable_end_string, env.comment_start_string, env.comment_end_string,
               env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks,
               env.newline_sequence, env.keep_trailing_newline, env.optimized, env.is_async,
               env.autoescape if isinstance(env.autoescape, bool) else getattr(env.autoescape, "__qualname__", "?"),
               sorted(env.extensions))
    where = folder / digest(repr(options)).hex()[:16]
    where.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(where), "%s.jinja")


@dataclass
class RenderResult:
    """What the render stage wrote."""

    pages: int = 0
    credentials: int = 0


def head_html(spec: PageSpec, config: Config, base: str) -> str:
    """A page's own <head> tags: canonical URL, Open Graph, neighbours, JSON-LD.

    No <link rel="alternate"> to the JSON: Material's bundle takes every alternate link for a
    translation and fetches a sitemap.xml beside it.
    """
    url = escape(config.url(spec.path), quote=True)
    head = (f'<link rel="canonical" href="{url}">\n'
            '<meta property="og:type" content="website">\n'
            f'<meta property="og:site_name" content="{escape(config.site_name, quote=True)}">\n'
            f'<meta property="og:title" content="{escape(spec.name, quote=True)}">\n'
            f'<meta property="og:description" content="{escape(spec.description, quote=True)}">\n'
            f'<meta property="og:url" content="{url}">')
    if spec.prev is not None:
        head += f'\n<link rel="prev" href="{base}{spec.prev}">'
    if spec.next is not None:
        head += f'\n<link rel="next" href="{base}{spec.next}">'
    for style in spec.styles:
        head += f'\n<link rel="stylesheet" href="{base}{escape(style, quote=True)}">'
    if spec.jsonld is not None:
        head += f'\n<script type="application/ld+json">{script_json(spec.jsonld)}</script>'
    return head


def render_page(spec: PageSpec, shell: Shell, config: Config, env: jinja2.Environment | None = None) -> str:
    """One page as a whole HTML document."""
    env = env or environment()
    base = "../" * spec.depth
    body = env.get_template(spec.template).render(base=base, page=spec, config=config, **spec.context)
    return shell.render(
        depth=spec.depth, title=f"{spec.name} - {config.site_name}", name=spec.name, description=spec.description,
        head=head_html(spec, config, base), content=f'<div id="credcat-main" class="credcat" tabindex="-1">\n{body}</div>',
        scripts="".join(f'<script src="{base}{escape(src, quote=True)}"></script>' for src in spec.scripts)
        if spec.scripts else "")


def write_page(root: str, path: str, html: str) -> bytes:
    """Write <root>/<path>index.html with plain os calls (3x less overhead than pathlib's write_text); its stamp."""
    folder = os.path.join(root, path)
    try:
        os.mkdir(folder)  # one system call in the usual case: the parent exists, the folder does not
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
    return write_text_file(folder, "index.html", html)


PARALLEL_MIN = 2000  # below this many credentials one process is quicker than starting more
CHUNK = 250  # credential pages per task: small enough for a smooth progress bar
# Then a worker is replaced, so it copies a bounded part of the catalog, however large (processes.py). A worker's
# start is dear: it copies afresh every page of the catalog its pages read (the related credentials' are scattered)
# and makes its caches again. The render stage alone at 100,000 (ABBA, one process holding the catalog): 16 tasks
# 31.1 and 31.5 s, peak 928 and 974 MB; 32 tasks 27.0 and 27.3 s, 1,098 and 1,133 MB (below the search and feeds
# stages' peak); 64 tasks 24.5 and 24.9 s, 1,341 and 1,323 MB.
TASKS_PER_WORKER = 32
NEVER_REUSED = ("search/",)  # pages a later stage writes into: always made afresh, never kept


@dataclass
class _Job:
    """What forked workers render from (inherited, not pickled)."""

    catalog: Catalog
    config: Config
    shell: Shell
    root: str
    reuse: OutputReuse | None
    key: bytes
    fingerprints: Fingerprints
    related: dict[str, tuple[bytes, list[str]]]  # the last build's answers: id -> (inputs key, related ids)
    units: list[tuple[int, range | None]]  # (page group, its page numbers or None for all): "groups" tasks slice this
    ready: dict[int, list[PageSpec]]  # the pages of the groups that are not lists, made before the workers were forked
    todo: Sequence[int] = ()  # positions in catalog.credentials of the pages to make or check: "credentials" tasks slice this
    work: int = 0  # what the tasks hold: their credential pages, plus the credentials their list pages list
    marks: "Marks | None" = None  # what this build's pages are made of (see Marks)
    last: "Marks | None" = None  # the same of the build that made the site, when its related.marshal is the site's
    changed: set[str] | None = None  # by the two builds' Marks, the credentials changed, added or gone (_changes)


class Marks(NamedTuple):
    """What the pages of a build are made of, besides the global key and the related answers.

    Kept in related.marshal with the answers, so a later build can tell a page whose inputs are all
    unchanged without signing it: for credential pages (`_standing`) each record's fingerprint,
    each provider's, each skill's RelatedIndex.head_key, and who links to each credential; for
    list pages (`_standing_lists`) each list's head and a hash of its credentials' ids in order
    (`list_marks`).
    """

    records: dict[str, bytes]
    providers: dict[str, bytes]
    heads: dict[str, bytes]
    part_of_reverse: dict[str, list[str]]
    leads_to_reverse: dict[str, list[str]]
    lists: dict[str, tuple[bytes, bytes]]


def marks_of(catalog: Catalog, config: Config, fingerprints: Fingerprints, index) -> Marks | None:
    """This catalog's Marks; None when a record has no fingerprint from the validate stage (tests, benchmarks)."""
    records = catalog.fingerprints
    if len(records) != len(catalog.credentials) or not all(cred.id in records for cred in catalog.credentials):
        return None
    return Marks(dict(records), {pid: fingerprints.provider(p) for pid, p in catalog.providers.items()},
                 {sid: index.head_key(sid) for sid in catalog.by_skill},
                 catalog.part_of_reverse, catalog.leads_to_reverse, list_marks(catalog, config, fingerprints))


def list_marks(catalog: Catalog, config: Config, fingerprints: Fingerprints) -> dict[str, tuple[bytes, bytes]]:
    """For each list (provider, skill, browse), by its first page's path: (its head, a hash of the ids of its
    credentials in listing order).

    Every page of a list is made of the same values but its pager (its page number, the list's
    length, its slice of the list): the head is the signature of the first page's values without
    the pager. Equal heads, the same ids in the same order and none of those credentials changed
    (by fingerprint) give every page of the list the signature it had: `_standing_lists`.
    """
    found: dict[str, tuple[bytes, bytes]] = {}
    for group, source in zip(page_groups(catalog, config), list_sources(catalog)):
        if source is None:
            continue
        first = next(group(pages=range(1, 2)))
        values = {name: value for name, value in first.context.items() if name != "pager"}
        head = fingerprints.signature(first.template, first.name, first.description, values, first.jsonld,
                                      first.styles, first.scripts)
        found[source[0]] = (head, digest("\n".join([cred.id for cred in in_order(source[1])])))
    return found


def _changes(last: Marks, now: Marks, catalog: Catalog) -> set[str]:
    """The credentials changed, added or gone between two builds' Marks (a changed provider changes each of its)."""
    changed = {cid for cid, fp in now.records.items() if last.records.get(cid) != fp}
    changed.update(cid for cid in last.records if cid not in now.records)
    providers = {pid for pid, fp in now.providers.items() if last.providers.get(pid) != fp}
    if providers:
        changed.update(cred.id for cred in catalog.credentials if cred.provider.id in providers)
    return changed


def _standing_lists(job: _Job) -> set[str]:
    """The lists (by their first page's path) whose every page is made of what the site's were, by the two builds'
    Marks: the same head, the same credentials in the same order, none of them changed. Empty without Marks.

    A list that held a changed credential and holds it no longer, or holds it now and did not,
    has other ids; one that holds it still is found from the credential (`lists_holding`).
    """
    last, now, changed = job.last, job.marks, job.changed
    if last is None or now is None or changed is None:
        return set()
    holding = lists_holding(job.catalog, changed)
    return {prefix for prefix, marks in now.lists.items() if prefix not in holding and last.lists.get(prefix) == marks}


def _standing(job: _Job) -> set[str] | None:
    """The ids of the credentials whose pages may not be made of what the site's were, given the related ids the
    last build chose for each: from the two builds' Marks (and `job.changed`, their `_changes`), no hash a page;
    None without them.

    A page's signature (credential_signature) is a hash of the global key (the same: related.marshal
    is read only under it), the record's fingerprint and its provider's, and those of its related
    credentials and of every credential it links to or is linked from. Its related credentials are
    the last build's answer when its skills' head keys are unchanged (RelatedIndex.inputs_key).
    So the page stands when none of those credentials changed, appeared or went, its skills' head
    keys and the lists of who links to it are the same, and the file is untouched. The pages that
    do not stand are found from what changed (by the catalog's lists and links, and one pass over
    the last build's related answers), not by asking each page.
    """
    last, now, changed = job.last, job.marks, job.changed
    if last is None or now is None or changed is None:
        return None
    catalog = job.catalog
    skills = {sid for sid in last.heads.keys() | now.heads.keys() if last.heads.get(sid) != now.heads.get(sid)}
    linked_to = {cid for old, new in ((last.part_of_reverse, now.part_of_reverse),
                                      (last.leads_to_reverse, now.leads_to_reverse))
                 for cid in old.keys() | new.keys() if old.get(cid) != new.get(cid)}
    unsure = changed | linked_to
    for sid in skills:  # a credential with a skill whose head key changed
        unsure.update(cred.id for cred in catalog.by_skill.get(sid, ()))
    if changed:
        # a page showing a changed credential among its related ones
        unsure.update(cid for cid, (_, related) in job.related.items() if not changed.isdisjoint(related))
        for cid in changed:  # a page linking to a changed credential, or linked to from one
            unsure.update(now.part_of_reverse.get(cid, ()))
            unsure.update(now.leads_to_reverse.get(cid, ()))
            cred = catalog.by_id.get(cid)
            if cred is not None:
                unsure.update(cred.part_of)
                unsure.update(cred.leads_to)
    return unsure


_JOB: _Job | None = None
Task = tuple[str, int, int]  # ("credentials", first, stop) of _Job.todo, or ("groups", first, stop) of _Job.units


def credential_signature(job: _Job, cred, related: list) -> bytes:
    """What a credential page is made of: its record, the records it links to or shows, and the global key."""
    fps, by_id = job.fingerprints, job.catalog.by_id
    linked = (cred.part_of, job.catalog.part_of_reverse.get(cred.id, ()), cred.leads_to,
              job.catalog.leads_to_reverse.get(cred.id, ()))
    parts = [job.key, fps.of(cred)]
    parts += [fps.of(other) for other in related]
    for ids in linked:
        parts.append(b"|")
        parts += [fps.of_id(cid, by_id) for cid in ids]
    return digest(*parts)


def _known_related(job: _Job, index, cred) -> list | None:
    """The last build's answer for `cred`'s related credentials, when what they are chosen from is unchanged
    and each is still in the catalog; else None."""
    known = job.related.get(cred.id)
    if known is None:
        return None
    by_id = job.catalog.by_id
    found = [by_id[cid] for cid in known[1] if cid in by_id]
    return found if len(found) == len(known[1]) and known[0] == index.inputs_key(cred) else None


def _related(job: _Job, index, cred, answers: list) -> list:
    """`cred`'s related credentials: the last build's answer when it still holds, else chosen afresh."""
    found = _known_related(job, index, cred)
    if found is not None:
        answers.append((cred.id, job.related[cred.id]))
        return found
    found = index.related(cred)
    answers.append((cred.id, (index.inputs_key(cred), [other.id for other in found])))
    return found


def _plan_credentials(job: _Job, planned: list, advance: Callable[[int], None] | None) -> list[int]:
    """Keep, here, every credential page that stands in the last build's site; return the positions of the others.

    A page stands when its related credentials are the last build's answer (their inputs are
    unchanged) and its signature is the one its file was made from. With both builds' Marks, a page
    whose inputs are all unchanged (not among `_standing`'s) is kept with neither: a set lookup a page.
    Otherwise it takes a few hashes, still cheaper than forking a worker for: after a one-record
    change nearly every page stands. A page whose related credentials must be chosen again is left to the tasks, which
    choose them in parallel. The kept pages' (pages, credential pages, entries, answers) go into
    `planned`, as a task would give them.
    """
    assert job.reuse is not None
    index = related_index(job.catalog)
    creds, known, keep = job.catalog.credentials, job.related, job.reuse.keep
    rels = [f"credentials/{cred.id}/index.html" for cred in creds]
    unsure = _standing(job)
    # By the Marks, each page's entry when its file is untouched: neither its related credentials nor its signature needed
    stood = job.reuse.keep_each_as_made(rels) if unsure is not None else [None] * len(creds)
    todo: list[int] = []
    entries: list = []
    answers: list = []
    kept = 0
    for i, cred in enumerate(creds):
        entry = stood[i]
        if entry is None or cred.id in unsure or cred.id not in known:  # type: ignore[operator]
            found = _known_related(job, index, cred)
            entry = None if found is None else keep(rels[i], credential_signature(job, cred, found))
            if entry is None:
                todo.append(i)  # its task chooses its related credentials again, or makes the page
                continue
        entries.append((rels[i], entry))
        answers.append((cred.id, known[cred.id]))
        kept += 1
        if advance is not None and kept % CHUNK == 0:
            advance(CHUNK)
    if advance is not None and kept % CHUNK:
        advance(kept % CHUNK)
    planned.append((kept, kept, entries, answers))
    return todo


def _render_task(task: Task) -> tuple[int, int, list, list]:
    """Render one task in a worker: a slice of credential pages, or a slice of the other pages' groups.

    Returns (pages, credential pages, cache entries, related answers): each page is kept from the
    last build when its signature is unchanged, else rendered and written.
    """
    assert _JOB is not None
    job = _JOB
    env = environment()
    entries: list = []
    answers: list = []
    pages = 0
    kind, first, stop = task
    if kind == "credentials":
        index = related_index(job.catalog)
        creds = job.catalog.credentials
        for cred in (creds[i] for i in job.todo[first:stop]):
            pages += 1
            rel = f"credentials/{cred.id}/index.html"
            found = _related(job, index, cred, answers) if job.reuse is not None else index.related(cred)
            if job.reuse is not None:
                signature = credential_signature(job, cred, found)
                entry = job.reuse.keep(rel, signature)
                if entry is not None:
                    entries.append((rel, entry))
                    continue
            spec = credential_page(cred, job.catalog, job.config, lambda _: found)
            stamped = write_page(job.root, spec.path, render_page(spec, job.shell, job.config, env))
            if job.reuse is not None:
                entries.append((rel, made(signature, stamped)))
        return pages, pages, entries, answers
    groups = page_groups(job.catalog, job.config)
    for i, numbers in job.units[first:stop]:
        for spec in job.ready[i] if i in job.ready else groups[i](pages=numbers):
            pages += 1
            if job.reuse is not None:
                rel, entry = _kept_page(job, spec)
                if type(entry) is int:
                    entries.append((rel, entry))
                    continue
            stamped = write_page(job.root, spec.path, render_page(spec, job.shell, job.config, env))
            if job.reuse is not None:
                entries.append((rel, made(entry, stamped) if entry is not None else None))
    return pages, 0, entries, answers


def _kept_page(job: _Job, spec: PageSpec) -> tuple[str, Kept | bytes | None]:
    """(file, entry) of a page that is not a credential's: its kept entry when it stands, else what it is made from."""
    assert job.reuse is not None
    rel = f"{spec.path}index.html"
    if spec.path in NEVER_REUSED:
        return rel, None
    signature = job.fingerprints.signature(job.key, spec.__dict__)
    entry = job.reuse.keep(rel, signature)
    return rel, signature if entry is None else entry


def _plan_groups(job: _Job, weights: list[int], planned: list) -> tuple[list[tuple[int, range | None]], list[int]]:
    """Keep, here, every unit of list pages (and other pages) that stands whole; return the other units and their weights.

    The pages of a list that stands by the Marks (`_standing_lists`) are kept unsigned, each while
    its file is untouched. Any other unit's pages are signed as a task signs them. When each of a
    unit's pages stands, its entries go into `planned`, else the whole unit is left to a task
    (which signs them again, keeps those that stand and makes the rest).
    """
    groups = page_groups(job.catalog, job.config)
    sources = list_sources(job.catalog)
    standing = _standing_lists(job)
    left: list[tuple[int, range | None]] = []
    left_weights: list[int] = []
    entries: list = []
    for (i, numbers), weight in zip(job.units, weights):
        source = sources[i]
        if source is not None and source[0] in standing:
            found = _kept_list_pages(job, source, numbers)
        else:
            found = [_kept_page(job, spec) for spec in (job.ready[i] if i in job.ready else groups[i](pages=numbers))]
        if found is not None and all(type(entry) is int for _, entry in found):
            entries += found
        else:
            left.append((i, numbers))
            left_weights.append(weight)
    planned.append((len(entries), 0, entries, []))
    return left, left_weights


def _kept_list_pages(job: _Job, source: tuple[str, Sequence[Credential]],
                     numbers: range | None) -> list[tuple[str, Kept]] | None:
    """(file, kept entry) of pages `numbers` (None: all) of a list that stands, each left as the last build made it;
    None if one of them is not (its file changed since, or it is not in the manifest)."""
    assert job.reuse is not None
    prefix, creds = source
    found: list[tuple[str, Kept]] = []
    for number in numbers if numbers is not None else range(1, list_page_count(len(creds), job.config) + 1):
        rel = f"{page_path(prefix, number)}index.html"
        entry = job.reuse.keep_as_made(rel)
        if entry is None:
            return None
        found.append((rel, entry))
    return found


def _units(config: Config, sizes: list[tuple[int, int]]) -> tuple[list[tuple[int, range | None]], list[int]]:
    """The units "groups" tasks slice ((group, page numbers or None for all)), and the work of each.

    A long list (a provider's, a skill's, a browse list) is cut into runs of pages of about CHUNK
    credentials, so a task reads only the credentials on its pages: a worker copies every page of
    memory it reads, and a whole list at 750,000 records is tens of thousands of credentials.
    `sizes` is `group_sizes(catalog, config)`.
    """
    units: list[tuple[int, range | None]] = []
    weights: list[int] = []
    per_run = max(1, CHUNK // config.browse_page_size)
    for i, (weight, pages) in enumerate(sizes):
        if pages > per_run:
            for first in range(1, pages + 1, per_run):
                numbers = range(first, min(first + per_run, pages + 1))
                units.append((i, numbers))
                weights.append(len(numbers) * config.browse_page_size)
        else:
            units.append((i, None))
            weights.append(weight)
    return units, weights


def _slices(total: int, weights: list[int]) -> list[Task]:
    """Credential pages (`total` of them) in slices of CHUNK; the units of `weights` in slices of about CHUNK x 4 work."""
    tasks: list[Task] = [("credentials", i, min(i + CHUNK, total)) for i in range(0, total, CHUNK)]
    first, weight = 0, 0
    for n, w in enumerate(weights):
        weight += w
        if weight >= CHUNK * 4 or n == len(weights) - 1:
            tasks.append(("groups", first, n + 1))
            first, weight = n + 1, 0
    # The heaviest slices first, so no worker is left with a long one at the end.
    return sorted(tasks, key=lambda t: t[0] == "credentials")


def prepare(catalog: Catalog, config: Config, shell: Shell, root: str, reuse: OutputReuse | None = None,
            key: bytes = b"", known: dict | None = None, planned: list | None = None,
            advance: Callable[[int], None] | None = None, last: Marks | None = None) -> tuple[list[Task], _Job]:
    """The render stage's tasks, and what its workers inherit, built once here before they are forked.

    The related index, every list's order and summary, the pages that are not lists (the
    statistics read every credential) and the compiled templates: a worker then reads only what
    its own pages show. With the last build's site (`reuse`), the credential pages that stand are
    kept here too (`_plan_credentials`), and after a small change the runs of list pages that
    stand whole (`_plan_groups`), their entries and related answers added to `planned`: the
    tasks make only the others.
    """
    sizes = group_sizes(catalog, config)
    related_index(catalog)
    prepare_lists(catalog)
    groups = page_groups(catalog, config)
    ready = {i: list(groups[i]()) for i, (_, pages) in enumerate(sizes) if not pages}
    units, weights = _units(config, sizes)
    fingerprints = Fingerprints(catalog.fingerprints)
    marks = marks_of(catalog, config, fingerprints, related_index(catalog)) if reuse is not None else None
    job = _Job(catalog, config, shell, root, reuse, key, fingerprints, known or {}, units, ready,
               range(len(catalog.credentials)), marks=marks, last=last,
               changed=_changes(last, marks, catalog) if last is not None and marks is not None else None)
    if reuse is not None and reuse.old and planned is not None:
        job.todo = _plan_credentials(job, planned, advance)
        if len(job.todo) < PARALLEL_MIN:  # a small change: few list pages are likely to have changed
            job.units, weights = _plan_groups(job, weights, planned)
    job.last = job.changed = None  # only planning reads the last build's Marks: not held while the workers run
    tasks = _slices(len(job.todo), weights)
    job.work = len(job.todo) + sum(weights)
    env = environment()
    for name in env.list_templates():  # workers are replaced as they go
        env.get_template(name)
    return tasks, job


def render_pages(catalog: Catalog, config: Config, shell: Shell, out: Path,
                 advance: Callable[[int], None] | None = None, jobs: int | None = None,
                 reuse: OutputReuse | None = None, key: bytes = b"") -> RenderResult:
    """Write every catalog page into `out`, in `jobs` processes (default: one per CPU) for large catalogs.

    `advance(n)` is told as credential pages are done. Pages do not depend on each other, so the
    output is the same bytes however many processes wrote it. With `reuse`, a page whose
    signature (under the global `key`) is the last build's is kept in the site instead, and each
    credential's related credentials are taken from the last build when what they are chosen
    from is unchanged (`related.marshal` in the cache folder).
    """
    global _JOB
    cards.clear_cache()
    jobs = jobs or os.cpu_count() or 1
    total = len(catalog.credentials)
    result = RenderResult()
    known, last = _load_related(config.cache_dir, key, reuse.old.related) if reuse is not None and reuse.old \
        else ({}, None)
    answers: dict[str, tuple[bytes, list[str]]] = {}
    planned: list = []
    tasks, _JOB = prepare(catalog, config, shell, str(out), reuse, key, known, planned, advance, last)
    marks = _JOB.marks

    def take(pages: int, creds: int, entries: list, found: list) -> None:
        result.pages += pages
        result.credentials += creds
        if reuse is not None:
            reuse.merge(entries)
            answers.update(found)
        if advance is not None and creds:
            advance(creds)

    # The catalog and what prepare made are long-lived: frozen, the collector neither walks them nor
    # touches (so copies) forked workers' pages (processes.frozen).
    try:
        with processes.frozen():
            for pages, creds, entries, found in planned:  # the pages that stand, found by prepare (which told `advance`)
                take(pages, 0, entries, found)
                result.credentials += creds
            # Workers only for work enough to pay for forking them: every fork copies what its tasks read.
            workers = jobs if total >= PARALLEL_MIN and _JOB.work >= PARALLEL_MIN else 1
            for done in processes.run(_render_task, tasks, workers, TASKS_PER_WORKER, ordered=False):
                take(*done)
    finally:
        _JOB = None
        forget_lists()
    if reuse is not None:
        reuse.related = _save_related(config.cache_dir, key, answers, marks)
    return result


RELATED_FILE = "related.marshal"


def _load_related(folder: Path, key: bytes, site: bytes = b"") -> tuple[dict[str, tuple[bytes, list[str]]], Marks | None]:
    """The last build's related answers, if made under the same global key (else none), and its Marks when the
    file's hash is `site`, the one stored with the site's manifest (else None).

    Answers are checked one by one (their inputs key), so any build's will do; Marks say what the
    site's pages were made of only if that build is the one that made the site (a build stopped
    after its render stage wrote this file, and left the site and its manifest as they were).
    """
    import marshal

    try:
        with open(folder / RELATED_FILE, "rb") as fh:
            data = fh.read()
        with processes.made_frozen():  # kept to the build's end: frozen, not walked by every collection
            made_with, answers, marks = marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError):  # none, damaged, or another format (an earlier credcat's pickle)
        return {}, None
    if made_with != key or not isinstance(answers, dict):
        return {}, None
    usable = site and digest(data) == site and isinstance(marks, tuple) and len(marks) == len(Marks._fields)
    return answers, Marks(*marks) if usable else None


def _save_related(folder: Path, key: bytes, answers: dict, marks: Marks | None) -> bytes:
    """Write related.marshal; the hash of its bytes, to be stored with the manifest."""
    import marshal

    folder.mkdir(parents=True, exist_ok=True)
    # marshal, not pickle: only built-in types here, and it writes them in a third of pickle's time (0.12 s
    # against 0.44 s at 100,000 records; read 0.19 s against 0.22 s). The file is read only under the same code.
    data = marshal.dumps((key, answers, tuple(marks) if marks is not None else None))
    tmp = folder / f"{RELATED_FILE}.tmp-{os.getpid()}"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, folder / RELATED_FILE)
    return digest(data)


def home_block(catalog: Catalog, config: Config, base: str = "") -> str:
    """The home page's catalog block: counts, browse entry points and a search box."""
    skills = catalog.skills_used
    counts = {"credentials": len(catalog.credentials), "providers": len(catalog.providers),
              "technical": sum(1 for s in skills if s.kind == "technical"),
              "power": sum(1 for s in skills if s.kind == "power")}
    return environment().get_template("home.html").render(
        base=base, config=config, counts=counts, groups=browse_groups(catalog))
