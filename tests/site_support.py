"""Helpers for the site tests: build through the CLI, hash trees, copy the config, walk HTML."""
from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path
from typing import Iterator

import yaml
from click.testing import CliRunner, Result

from generator.cli import main

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-29"

FULL_RECORD = """\
title: Data Analysis with Python
type: micro-credential
description: |
  Learn to clean and analyse data with **Python** and [pandas](https://pandas.pydata.org).

  A second paragraph about the capstone.
url: https://acme.example/data-analysis
languages: [en, pt-BR]
skills: [python, sql, teamwork, underwater basket weaving]
learning_outcomes:
  - Clean a messy data set.
  - Explain a finding to a non-specialist.
workload: {hours: 40, ects: 2}
duration: {min: P2M, max: P3M}
level: {eqf: 5, audience: intermediate}
participation: blended
assessment: {type: [exam, project], supervision: proctored, id_verified: true}
quality_assurance:
  - {type: external, body: Example Accreditation Agency, url: "https://accredit.example"}
cost: {amount: 49, currency: USD, per: month}
prerequisites: [Basic spreadsheet skills]
stackability: {part_of: [acme/data-program], leads_to: [acme/advanced-analytics]}
occupations: ["15-2051"]
tags: [data, python]
last_verified: 2026-10-01
"""

PROGRAM = """\
title: Data Program
type: learning-program
description: The whole data program.
url: https://acme.example/program
languages: [en]
skills: [python, data-analysis]
last_verified: 2026-10-01
"""

ADVANCED = """\
title: Advanced Analytics
type: certificate
description: After data analysis.
url: https://acme.example/advanced
languages: [en]
skills: [python, sql, data-analysis]
status: retired
cost: free
last_verified: 2025-01-01
"""


def build(out: Path, *args: str, config: Path | None = None, catalog: Path | None = None,
          as_of: str = AS_OF) -> Result:
    """Run `credcat build` in-process; returns click's Result (exit_code, output)."""
    argv = ["build", "--out", str(out), "--as-of", as_of]
    if config is not None:
        argv += ["--config", str(config)]
    else:
        argv += ["--config", str(REPO / "site_config.yml")]
    if catalog is not None:
        argv += ["--catalog", str(catalog)]
    return CliRunner().invoke(main, [*argv, *args], catch_exceptions=False)


def config_copy(folder: Path, **plugin: object) -> Path:
    """site_config.yml written into `folder` with absolute paths and some credcat options changed."""
    data = yaml.safe_load((REPO / "site_config.yml").read_text(encoding="utf-8"))
    data["docs_dir"] = str(REPO / "docs")
    data["theme"]["custom_dir"] = str(REPO / "theme" / "overrides")
    for entry in data["plugins"]:
        if isinstance(entry, dict) and "credcat" in entry:
            entry["credcat"]["catalog"] = str(REPO / "catalog")
            entry["credcat"].update(plugin)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "site_config.yml"
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    # CONTRIBUTING.md is included from beside the config file.
    (folder / "CONTRIBUTING.md").write_text((REPO / "CONTRIBUTING.md").read_text(encoding="utf-8"), encoding="utf-8")
    return target


def digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder`, by relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def html_files(folder: Path) -> Iterator[Path]:
    """Every HTML file of a built site, sorted."""
    return iter(sorted(folder.rglob("*.html")))


def write_files(root: Path, files: dict[str, str]) -> None:
    """Write text files (dedented) under `root`."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
