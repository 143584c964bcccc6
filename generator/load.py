"""Load stage: find the catalog's files and read each YAML file safely, keeping file:line for every value.

Provider YAML is untrusted. Only the YAML core types are read (no Python or custom tags), a
file's size and the number of nodes it may expand to are capped, duplicate keys are errors,
and the text must be UTF-8. Every failure becomes a Problem with a line and a hint.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import GeneratorType
from typing import Any, Iterator

import yaml

from .errors import Problem

try:  # libyaml's C loader is ~10x faster and keeps node marks
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader

_STR_TAG = "tag:yaml.org,2002:str"
_ScalarNode = yaml.ScalarNode
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_CACHED_SCALAR_CHARS = 64
"""Plain scalars up to this length (keys, enum words, numbers) have their resolved tag cached."""


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, with tag resolution cached: keys and short words recur in every record."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if self.yaml_path_resolvers:  # pragma: no cover - nobody registers path resolvers
            return super().resolve(kind, value, implicit)
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return _STR_TAG  # quoted or block text: no implicit type applies
            if len(value) <= _CACHED_SCALAR_CHARS:
                return _plain_tag(value)
            return super().resolve(kind, value, implicit)
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG


_PLAIN_RESOLVER = yaml.resolver.Resolver()


@lru_cache(maxsize=4096)
def _plain_tag(value: str) -> str:
    return _PLAIN_RESOLVER.resolve(yaml.ScalarNode, value, (True, False))

MAX_FILE_BYTES = 1024 * 1024
"""A credential record is a few kilobytes; anything past 1 MiB is refused before it is parsed."""
MAX_NODES = 20_000
"""Cap on values a file may expand to, aliases included: an alias bomb stops here."""
MAX_DEPTH = 32

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
YAML_SUFFIXES = (".yml", ".yaml")

Path_ = tuple  # a location inside a document: ("skills", 2, "label")

_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}
_constructor = yaml.constructor.SafeConstructor()


@dataclass
class Document:
    """A parsed YAML file: plain Python data plus the (line, column) of every value and key."""

    path: str
    data: Any
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: Path_, key: bool = False) -> tuple[int, int]:
        """The line and column of the value (or key) at `loc`, falling back to its nearest parent."""
        table = self.key_marks if key else self.marks
        while loc:
            if loc in table:
                return table[loc]
            if loc in self.marks:
                return self.marks[loc]
            loc = loc[:-1]
        return self.marks.get((), (1, 1))


class LoadError(Exception):
    """A file could not be read as a YAML mapping; carries the Problem to report."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.text())


def _fail(path: str, line: int, col: int, message: str, hint: str, record: str = "") -> LoadError:
    return LoadError(Problem(path, line, col, "error", message, hint, record=record))


def read_text(file: Path, display: str, raw: bytes | None = None) -> str:
    """Read a file as UTF-8 (a BOM is allowed) within the size cap, or raise LoadError.

    `raw`: the file's bytes, when the caller has read them already."""
    try:
        size = file.stat().st_size if raw is None else len(raw)
    except OSError as exc:
        raise _fail(display, 0, 0, f"cannot read the file: {exc.strerror}", "check the path and permissions") from None
    if size > MAX_FILE_BYTES:
        raise _fail(
            display, 1, 1,
            f"the file is {size:,} bytes; a record may be at most {MAX_FILE_BYTES:,} bytes",
            "a record describes one credential in a few kilobytes; move long text to the provider's page and link it",
        )
    if raw is None:
        raw = file.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(display, 1, 1, "the file is UTF-16, not UTF-8", "save the file with UTF-8 encoding")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise _fail(
            display, line, col,
            f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} cannot start a character here)",
            "save the file with UTF-8 encoding; editors call it 'UTF-8' or 'Unicode (UTF-8)'",
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise _fail(display, line, 1, "the file contains a NUL character", "records are plain text; remove the binary data")
    return text


def _yaml_problem(display: str, exc: yaml.YAMLError, text: str) -> LoadError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    at_mark = ""
    if mark is not None:
        lines = text.split("\n")
        if mark.line < len(lines):
            at_mark = lines[mark.line][mark.column:mark.column + 1]
    if at_mark == "\t" or "'\\t'" in problem:
        return _fail(display, line, col, "a tab character is used for indentation",
                     "YAML indents with spaces only; replace each tab with two spaces")
    if "expected a single document" in f"{problem} {context}":
        return _fail(display, line, col, "the file holds more than one YAML document",
                     "a file holds one record: remove the '---' line and split the records into separate files")
    if "found undefined alias" in problem:
        return _fail(display, line, col, "an alias (*name) refers to an anchor that is not defined",
                     "define the anchor (&name) before using it, or write the value out")
    message = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    hint = "check the indentation and that every 'key: value' pair and list item '- ' lines up"
    if "mapping values are not allowed" in problem:
        hint = "a value containing ': ' must be quoted, e.g. title: \"Data science: an introduction\""
    elif "could not find expected ':'" in problem or "while scanning a simple key" in str(context):
        hint = "each line of a mapping needs 'key: value'; quote text that spans lines or contains ':'"
    elif "found character" in problem and "that cannot start any token" in problem:
        hint = "quote the value: text starting with @, ` or % must be in quotes"
    return _fail(display, line, col, message, hint)


_KEY_TAGS = frozenset({
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:float", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
})


class _Builder:
    """Turns a composed node graph into plain data, recording marks and enforcing the caps."""

    def __init__(self, display: str):
        self.display = display
        self.marks: dict[Path_, tuple[int, int]] = {}
        self.key_marks: dict[Path_, tuple[int, int]] = {}
        self.count = 0

    def build(self, node: yaml.Node, loc: Path_ = (), depth: int = 0) -> Any:
        self.count += 1
        mark = node.start_mark
        line, col = mark.line + 1, mark.column + 1
        if self.count > MAX_NODES:
            raise _fail(self.display, line, col,
                        f"the file expands to more than {MAX_NODES:,} values (an alias bomb?)",
                        "write each value out; anchors and aliases may not multiply the document")
        if depth > MAX_DEPTH:
            raise _fail(self.display, line, col, f"values are nested more than {MAX_DEPTH} levels deep",
                        "a record is a flat mapping with short lists; check for a recursive alias")
        tag = node.tag
        if tag not in _CORE_TAGS:
            raise _fail(self.display, line, col, f"the tag {tag!r} is not allowed",
                        "records use plain YAML values only; remove the '!' tag")
        self.marks[loc] = (line, col)
        if isinstance(node, yaml.ScalarNode):  # most nodes: checked first
            return _scalar(node)
        depth += 1
        # A string value within the caps (most values) is taken here rather than through another
        # call to build(): the same result, count and mark, for less per-node work.
        leaf_ok = depth <= MAX_DEPTH
        marks = self.marks
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            key_marks = self.key_marks
            for key_node, value_node in node.value:
                kmark = key_node.start_mark
                kline, kcol = kmark.line + 1, kmark.column + 1
                ktag = key_node.tag
                if ktag == "tag:yaml.org,2002:merge":
                    raise _fail(self.display, kline, kcol, "merge keys ('<<') are not supported",
                                "write the fields out in this mapping")
                if ktag not in _KEY_TAGS or not isinstance(key_node, yaml.ScalarNode):
                    raise _fail(self.display, kline, kcol, "a key must be plain text",
                                "write keys as words, e.g. 'title:'")
                key = key_node.value
                key_loc = loc + (key,)
                if key in out:
                    first = key_marks[key_loc][0]
                    raise _fail(self.display, kline, kcol, f"duplicate key '{key}' (first given on line {first})",
                                "each field may appear once per mapping; remove or merge one of them")
                key_marks[key_loc] = (kline, kcol)
                if value_node.__class__ is _ScalarNode and value_node.tag == _STR_TAG and leaf_ok \
                        and self.count < MAX_NODES:
                    self.count += 1
                    vmark = value_node.start_mark
                    marks[key_loc] = (vmark.line + 1, vmark.column + 1)
                    out[key] = value_node.value
                else:
                    out[key] = self.build(value_node, key_loc, depth)
            return out
        if isinstance(node, yaml.SequenceNode):
            items: list[Any] = []
            for i, item in enumerate(node.value):
                if item.__class__ is _ScalarNode and item.tag == _STR_TAG and leaf_ok and self.count < MAX_NODES:
                    self.count += 1
                    imark = item.start_mark
                    marks[loc + (i,)] = (imark.line + 1, imark.column + 1)
                    items.append(item.value)
                else:
                    items.append(self.build(item, loc + (i,), depth))
            return items
        return _scalar(node)  # pragma: no cover - every node is a scalar, mapping or sequence


_CONSTRUCTORS = {tag: _constructor.yaml_constructors[tag] for tag in _CORE_TAGS}


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    if tag == _STR_TAG or tag == "tag:yaml.org,2002:timestamp":
        return node.value  # dates stay text: the normalizer checks they are real dates
    if tag == "tag:yaml.org,2002:bool" and node.value.lower() not in ("true", "false"):
        return node.value  # YAML 1.1 reads NO/yes/on/off as booleans: the 'Norway problem'
    # The tag's constructor directly, not construct_object: that one keeps every node it built
    # in a table for the life of the (shared) constructor, which grew with every file read.
    data = _CONSTRUCTORS[tag](_constructor, node)
    if isinstance(data, GeneratorType):  # '!!seq' or '!!map' on a scalar: an empty list or mapping
        data = next(data)
    return data


def parse_yaml(text: str, display: str) -> Document:
    """Parse one YAML document into a Document, or raise LoadError."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise _yaml_problem(display, exc, text) from None
    finally:
        loader.dispose()
    if node is None:
        raise _fail(display, 1, 1, "the file is empty", "write the record's fields, e.g. 'title: ...'")
    builder = _Builder(display)
    data = builder.build(node)
    return Document(display, data, builder.marks, builder.key_marks)


def load_mapping(file: Path, display: str, raw: bytes | None = None) -> Document:
    """Read `file` (unless its bytes are given as `raw`) and require its top level to be a mapping of fields."""
    doc = parse_yaml(read_text(file, display, raw), display)
    if not isinstance(doc.data, dict):
        kind = "a list" if isinstance(doc.data, list) else f"a single value ({doc.data!r})"
        raise _fail(display, 1, 1, f"expected a mapping of fields (key: value), got {kind}",
                    "a record file is a set of 'field: value' lines at the left margin, e.g. 'title: ...'")
    return doc


# --- finding the catalog's files ---------------------------------------------------------------

@dataclass(frozen=True)
class ProviderDir:
    """One provider folder: its id, its provider.yml (if any) and its credential files' names, sorted.

    The names are kept as text: a Path object per file cost a second of a build at 100,000
    records, and a build reads only the files that changed. `credential_files` makes the Paths.
    """

    id: str
    folder: Path
    provider_file: Path | None
    credential_names: tuple[str, ...]  # file names in folder/credentials/, e.g. "data-analyst.yml"

    @property
    def credentials_dir(self) -> Path:
        return self.folder / "credentials"

    @property
    def credential_files(self) -> tuple[Path, ...]:
        """The credential files as Paths, in the order of `credential_names`."""
        folder = self.credentials_dir
        return tuple(folder / name for name in self.credential_names)


@dataclass
class CatalogFiles:
    """What the catalog folder holds, plus problems with its layout (not its contents)."""

    root: Path
    taxonomy: Path | None
    providers: list[ProviderDir]
    problems: list[Problem]


def display_path(file: Path, root: Path) -> str:
    """A path for messages: relative to the working directory when possible, else absolute."""
    cwd = _cwd()
    absolute = file if file.is_absolute() else cwd / file
    try:
        return str(absolute.relative_to(cwd))
    except ValueError:
        return str(absolute)


def _cwd() -> Path:
    return _resolved(os.getcwd())


@lru_cache(maxsize=8)
def _resolved(cwd: str) -> Path:
    # Resolving the working directory is a few system calls; it is asked for once per file.
    return Path(cwd).resolve()


def discover(root: Path) -> CatalogFiles:
    """List the catalog's provider folders and files without reading them, in a stable order."""
    problems: list[Problem] = []
    taxonomy = None
    providers: list[ProviderDir] = []

    def layout(path: Path, message: str, hint: str) -> None:
        problems.append(Problem(display_path(path, root), 0, 0, "error", message, hint))

    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.name in ("README.md", "LICENSE", "CODEOWNERS"):
            continue
        if entry.is_symlink():
            layout(entry, "symbolic links are not allowed in the catalog", "commit the files themselves")
            continue
        if entry.name == "taxonomy" and entry.is_dir():
            for suffix in YAML_SUFFIXES:
                if (entry / f"skills{suffix}").is_file():
                    taxonomy = entry / f"skills{suffix}"
                    break
            continue
        if not entry.is_dir():
            layout(entry, "a file at the top of the catalog", "records live in <provider>/credentials/<slug>.yml")
            continue
        providers.append(_provider_dir(entry, root, layout))
    return CatalogFiles(root, taxonomy, providers, problems)


def _provider_dir(folder: Path, root: Path, layout) -> ProviderDir:
    if not SLUG.match(folder.name):
        layout(folder, f"provider folder name '{folder.name}' is not a safe id",
               f"use lowercase letters, digits and hyphens, e.g. '{slugify(folder.name) or 'my-provider'}'")
    provider_file = None
    for suffix in YAML_SUFFIXES:
        if (folder / f"provider{suffix}").is_file():
            provider_file = folder / f"provider{suffix}"
            break
    if provider_file is None:
        layout(folder, f"the provider folder '{folder.name}' has no provider.yml",
               "add provider.yml with name, url and country (see CONTRIBUTING.md)")
    creds: list[str] = []
    seen: dict[str, str] = {}  # slug -> the file name that gave it
    cred_dir = folder / "credentials"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry == provider_file or entry == cred_dir:
            continue
        if entry.name in ("README.md", "logo.svg", "logo.png"):
            continue
        layout(entry, f"unexpected {'folder' if entry.is_dir() else 'file'} '{entry.name}' in a provider folder",
               "a provider folder holds provider.yml and credentials/<slug>.yml only")
    if cred_dir.is_dir():
        # Listed with scandir: whether an entry is a link or a file comes with the listing, not a stat per file.
        with os.scandir(cred_dir) as listing:
            found = sorted(listing, key=lambda e: e.name)
        for dir_entry in found:
            name = dir_entry.name
            if name.startswith("."):
                continue
            slug, suffix = os.path.splitext(name)  # as Path's stem and suffix, for a name without a leading dot
            if dir_entry.is_symlink() or not dir_entry.is_file() or suffix not in YAML_SUFFIXES:
                layout(cred_dir / name, f"'{name}' is not a .yml record file",
                       "the credentials folder holds one <slug>.yml file per credential")
                continue
            if not SLUG.match(slug):
                layout(cred_dir / name, f"the file name '{name}' is not a safe slug",
                       f"rename it to lowercase letters, digits and hyphens, e.g. '{slugify(slug) or 'my-credential'}.yml'")
                continue
            if slug in seen:
                layout(cred_dir / name, f"duplicate id '{folder.name}/{slug}': also defined by {seen[slug]}",
                       "keep one file per credential; delete or rename the other")
                continue
            seen[slug] = name
            creds.append(name)
    return ProviderDir(folder.name, folder, provider_file, tuple(creds))


def slugify(text: str) -> str:
    """A safe slug suggestion for `text`: lowercase ASCII letters, digits and single hyphens."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def iter_yaml(paths: list[Path]) -> Iterator[Path]:
    """Every YAML file under the given files or folders, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
        else:
            yield path
