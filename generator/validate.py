"""Validate stage: read the catalog record by record, check every rule, and hand on normalized records.

The reader streams: each credential file is loaded, checked, normalized and handed to the caller,
then dropped, so memory does not grow with the text already checked. What the catalog-wide rules
need (ids, stackability links) is small and kept. Every problem is collected; none stops the run.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .errors import Problem, Problems, UsageError
from .load import CatalogFiles, Document, LoadError, ProviderDir, discover, display_path, load_mapping
from .model import Credential, Provider
from .normalize import normalize_credential, normalize_provider
from .schema import CREDENTIAL, PROVIDER
from .seal import compute_seal

CREDENTIAL_FIELDS = frozenset(CREDENTIAL.names())
from .taxonomy import Taxonomy, build_taxonomy


@dataclass
class Stats:
    credentials: int = 0
    providers: int = 0
    files: int = 0


class _Reporter:
    """Turns (location, message, hint) from shapes and parsers into located Problems for one document."""

    def __init__(self, doc: Document, record: str, sink: Problems):
        self.doc, self.record, self.sink = doc, record, sink
        self.errors = 0
        self.bad_fields: set = set()

    def __call__(self, loc: tuple, message: str, hint: str = "", severity: str = "error") -> None:
        self._add(loc, message, hint, severity, key=False)

    def key(self, loc: tuple, message: str, hint: str = "", severity: str = "error") -> None:
        self._add(loc, message, hint, severity, key=True)

    def _add(self, loc: tuple, message: str, hint: str, severity: str, key: bool) -> None:
        line, col = self.doc.where(loc, key=key)
        if severity == "error":
            self.errors += 1
            if loc:
                self.bad_fields.add(loc[0])
        self.sink.add(Problem(self.doc.path, line, col, severity, message, hint,  # type: ignore[arg-type]
                              field=".".join(str(p) for p in loc), record=self.record))


@dataclass
class CatalogReader:
    """Reads and checks a catalog folder; iterate `credentials()` to stream normalized records."""

    root: Path
    as_of: str
    only: set[Path] | None = None  # check just these files (the rest of the catalog still gives ids)
    problems: Problems = field(default_factory=Problems)
    stats: Stats = field(default_factory=Stats)
    providers: dict[str, Provider] = field(default_factory=dict)
    taxonomy: Taxonomy = field(default_factory=Taxonomy)
    files: CatalogFiles | None = None
    known_ids: set[str] = field(default_factory=set)
    _links: list[tuple[str, str, str, int, int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.root.is_dir():
            raise UsageError(f"the catalog folder '{self.root}' does not exist (give another with --catalog DIR)")
        self.files = discover(self.root)
        self.problems.extend(self.files.problems)
        for pdir in self.files.providers:
            self.known_ids.update(f"{pdir.id}/{f.stem}" for f in pdir.credential_files)
        self._load_taxonomy()

    def display(self, file: Path) -> str:
        return display_path(file, self.root)

    def _load_taxonomy(self) -> None:
        tax_file = self.files.taxonomy if self.files else None
        if tax_file is None:
            self.problems.add(Problem(self.display(self.root / "taxonomy"), 0, 0, "error",
                                      "the catalog has no taxonomy/skills.yml",
                                      "add catalog/taxonomy/skills.yml with the skills credentials may name"))
            return
        self.stats.files += 1
        try:
            doc = load_mapping(tax_file, self.display(tax_file))
        except LoadError as exc:
            self.problems.add(exc.problem)
            return
        found: list[Problem] = []
        self.taxonomy = build_taxonomy(doc, found)
        self.problems.extend(found)

    def _wanted(self, file: Path) -> bool:
        return self.only is None or file.resolve() in self.only

    def read_provider(self, pdir: ProviderDir) -> Provider | None:
        """Check and normalize one provider.yml (None when it is missing or broken)."""
        if pdir.provider_file is None:
            return None
        shown = self.display(pdir.provider_file)
        try:
            doc = load_mapping(pdir.provider_file, shown)
        except LoadError as exc:
            self.problems.add(exc.problem)
            return None
        report = _Reporter(doc, pdir.id, self.problems)
        if not PROVIDER.check(doc.data, (), report, report.key):
            return None
        provider = normalize_provider(pdir.id, doc.data, report, shown)
        return provider if report.errors == 0 else None

    def read_credential(self, file: Path, provider: Provider | None, provider_id: str) -> Credential | None:
        """Check and normalize one credential file; None when it has errors."""
        cid = f"{provider_id}/{file.stem}"
        shown = self.display(file)
        try:
            doc = load_mapping(file, shown)
        except LoadError as exc:
            self.problems.add(Problem(**{**exc.problem.__dict__, "record": cid}))
            return None
        report = _Reporter(doc, cid, self.problems)
        CREDENTIAL.check(doc.data, (), report, report.key)
        if provider is None:
            return None  # without a valid provider, costs in '$' and the seal cannot be resolved
        usable = {k: v for k, v in doc.data.items() if k not in report.bad_fields and k in CREDENTIAL_FIELDS}
        cred = normalize_credential(cid, usable, provider, self.taxonomy.resolver(report), report, self.as_of, shown)
        if cred is None or report.errors:
            return None
        self._remember_links(cred, doc)
        return cred.__class__(**{**cred.__dict__, "seal": compute_seal(cred, self.as_of)})

    def _remember_links(self, cred: Credential, doc: Document) -> None:
        raw = doc.data.get("stackability") or {}
        for relation in ("part_of", "leads_to"):
            targets = getattr(cred, relation)
            for i, target in enumerate(targets):
                loc = ("stackability", relation, i) if isinstance(raw.get(relation), list) else ("stackability", relation)
                line, col = doc.where(loc)
                self._links.append((cred.id, relation, target, line, col, doc.path))

    def credentials(self) -> Iterator[Credential]:
        """Every valid credential, provider by provider, in id order; problems collect on the side."""
        assert self.files is not None
        for pdir in self.files.providers:
            wanted_creds = [f for f in pdir.credential_files if self._wanted(f)]
            wanted_provider = pdir.provider_file is not None and self._wanted(pdir.provider_file)
            if not wanted_creds and not wanted_provider:
                continue
            self.stats.files += (pdir.provider_file is not None) + len(wanted_creds)
            provider = self.read_provider(pdir)
            if provider is not None:
                self.providers[provider.id] = provider
                self.stats.providers += 1
            for file in wanted_creds:
                cred = self.read_credential(file, provider, pdir.id)
                if cred is not None:
                    self.stats.credentials += 1
                    yield cred
        self._check_links()

    def _check_links(self) -> None:
        for source, relation, target, line, col, path in self._links:
            if target == source:
                self.problems.add(Problem(path, line, col, "error", f"the credential lists itself in {relation}",
                                          "remove the entry", field=f"stackability.{relation}", record=source))
            elif target not in self.known_ids:
                from .errors import did_you_mean

                close = did_you_mean(target, self.known_ids, n=1)
                hint = f"did you mean '{close[0]}'?" if close else \
                    "link only to credentials in this catalog, as <provider>/<slug>"
                self.problems.add(Problem(path, line, col, "error", f"'{target}' is not a credential in this catalog",
                                          hint, field=f"stackability.{relation}", record=source))
        self._links.clear()


def resolve_paths(root: Path, paths: list[Path]) -> set[Path]:
    """The record files meant by PATH arguments (files or folders inside the catalog)."""
    chosen: set[Path] = set()
    root_resolved = root.resolve()
    for path in paths:
        resolved = path.resolve()
        if not resolved.exists():
            raise UsageError(f"'{path}' does not exist")
        if resolved != root_resolved and root_resolved not in resolved.parents:
            raise UsageError(f"'{path}' is not inside the catalog folder '{root}' (give the catalog with --catalog DIR)")
        if resolved.is_dir():
            chosen.update(p.resolve() for p in resolved.rglob("*") if p.suffix in (".yml", ".yaml"))
        else:
            chosen.add(resolved)
    return chosen


def files_with_problems(problems: Problems) -> int:
    """How many distinct files the problems are in."""
    return len({p.path for p in problems.items})
