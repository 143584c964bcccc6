"""Problems: the one type every stage uses to tell a provider what is wrong and how to fix it."""
from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass, field
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as the YAML allows."""

    path: str
    line: int
    column: int
    severity: Severity
    message: str
    hint: str = ""
    field: str = ""
    record: str = ""

    def text(self) -> str:
        """Render as `path:line:col: severity: field: message` plus an indented hint line."""
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        subject = f"{self.field}: " if self.field else ""
        out = f"{where}: {self.severity}: {subject}{self.message}"
        if self.hint:
            out += f"\n  hint: {self.hint}"
        return out

    def github(self) -> str:
        """Render as a GitHub Actions workflow annotation."""
        kind = "error" if self.severity == "error" else "warning"
        msg = f"{self.field}: {self.message}" if self.field else self.message
        if self.hint:
            msg += f"\n{self.hint}"
        msg = msg.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        loc = f"file={self.path}"
        if self.line:
            loc += f",line={self.line},col={self.column}"
        return f"::{kind} {loc},title=credcat::{msg}"

    def as_json(self) -> dict:
        """The problem as a plain JSON object (the `--format json` shape)."""
        return asdict(self)


@dataclass
class Problems:
    """Collects problems from every stage so a run reports all of them at once."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        """Record one problem."""
        self.items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record several problems."""
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def sorted(self) -> list[Problem]:
        """Problems in a stable order: by file, then line, then column."""
        return sorted(self.items, key=lambda p: (p.path, p.line, p.column, p.field, p.message))

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


class CatalogError(Exception):
    """Raised when the catalog cannot be built; carries the problems that stopped it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the catalog")


class UsageError(Exception):
    """A mistake in how credcat was called or configured (not in a record)."""


def did_you_mean(word: str, choices: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """The closest matches to `word` among `choices`, best first."""
    return difflib.get_close_matches(word, sorted(set(choices)), n=n, cutoff=cutoff)


def suggestion(word: str, choices: Iterable[str]) -> str:
    """A 'did you mean' hint, or an empty string when nothing is close."""
    close = did_you_mean(word, choices, n=1)
    return f"did you mean '{close[0]}'?" if close else ""


def summary_line(problems: Problems, files_with_problems: int) -> str:
    """The closing count line: 'Aborted with 3 errors in 2 files.'."""
    n_err, n_warn = len(problems.errors), len(problems.warnings)
    parts = []
    if n_err:
        parts.append(f"{n_err} error{'s' if n_err != 1 else ''}")
    if n_warn:
        parts.append(f"{n_warn} warning{'s' if n_warn != 1 else ''}")
    files = f"{files_with_problems} file{'s' if files_with_problems != 1 else ''}"
    return " and ".join(parts) + f" in {files}"


def dumps(value: object) -> str:
    """Canonical JSON used for every machine-readable output: sorted keys, UTF-8, stable."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
