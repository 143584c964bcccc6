"""Everything a user can type is documented, and the providers' worked example really validates."""
from __future__ import annotations

import re
from pathlib import Path

import click
import yaml

from generator.cli import main
from generator.validate import CatalogReader

REPO = Path(__file__).resolve().parents[1]


def documentation() -> str:
    parts = [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").rglob("*.md"))]
    return "\n".join(p.read_text(encoding="utf-8") for p in parts if p.is_file())


def commands(group: click.Group, prefix: str = "credcat") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            found.extend(commands(command, f"{prefix} {name}"))
    return found


def test_every_command_and_option_is_documented():
    docs = documentation()
    missing = []
    for name, command in commands(main):
        if f"`{name}" not in docs:
            missing.append(name)
        for param in command.params:
            if isinstance(param, click.Option):
                longest = max(param.opts, key=len)
                if f"`{longest}" not in docs:
                    missing.append(f"{name} {longest}")
    for param in main.params:
        if isinstance(param, click.Option):
            if not any(opt in docs for opt in param.opts):
                missing.append(f"credcat {param.opts[0]}")
    assert missing == []


def test_contributing_worked_example_validates(tmp_path):
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    provider, credential = blocks[0], blocks[1]
    root = tmp_path / "catalog"
    (root / "example-university/credentials").mkdir(parents=True)
    (root / "taxonomy").mkdir()
    (root / "taxonomy/skills.yml").write_text((REPO / "catalog/taxonomy/skills.yml").read_text(encoding="utf-8"))
    (root / "example-university/provider.yml").write_text(provider)
    (root / "example-university/credentials/resilience-at-work.yml").write_text(credential)
    reader = CatalogReader(root, "2026-11-29")
    [cred] = list(reader.credentials())
    assert reader.problems.sorted() == []
    assert cred.workload.hours == 18 and cred.duration.min == "P6W"
    assert {s.kind for s in cred.skills} == {"power"}
    assert cred.seal.score == 10
    assert yaml.safe_load(credential)["type"] == "micro-credential"
