"""Shared fixtures: small catalogs written into tmp_path, a static file server, and headless Chromium."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import socketserver
import textwrap
import threading
from pathlib import Path
from typing import Callable, Iterator

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"

TAXONOMY = """\
skills:
  - {id: python, label: Python, kind: technical, synonyms: [python programming]}
  - {id: sql, label: SQL, kind: technical, synonyms: [structured query language]}
  - {id: data-analysis, label: Data analysis, kind: technical}
  - {id: teamwork, label: Teamwork, kind: power, synonyms: [team work, collaboration], uri: "http://data.europa.eu/esco/skill/teamwork-example"}
  - {id: resilience, label: Resilience, kind: power, synonyms: [grit, perseverance]}
  - {id: communication, label: Communication, kind: power, synonyms: [communication skills]}
"""

PROVIDER = """\
name: Acme Institute
url: https://acme.example
country: US
maintainers: [acme-team]
"""

CREDENTIAL = """\
title: Data Analysis with Python
type: certificate
description: Learn to clean and analyse data with **Python**.
url: https://acme.example/data-analysis
languages: [en]
skills: [python, sql]
last_verified: 2026-10-01
"""


@pytest.fixture(autouse=True)
def _build_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same build behaviour on a laptop and in CI: each test's builds get a cache folder of their
    own (beside tmp_path, so tests that list tmp_path do not see it), and `$CI` is unset (tests that
    want CI's plain progress lines set it)."""
    monkeypatch.setenv("CREDCAT_CACHE_DIR", str(tmp_path.parent / f"{tmp_path.name}-build-cache"))
    monkeypatch.delenv("CI", raising=False)


@pytest.fixture(autouse=True)
def _every_written_file_is_told(monkeypatch: pytest.MonkeyPatch) -> None:
    """After every build a test makes in this process: the build folder holds exactly the files the stages told
    OutputReuse of (it is never walked at the end), so an incremental build puts in, and records, everything made."""
    from generator.outputs import MADE, NO_SIGNATURE, SIGNATURE, Manifest, OutputReuse, _files, _fixed

    real_finish = OutputReuse.finish

    def finish(self, *args, **kwargs):
        held = set(_files(str(self.staging)))
        told = set(self.written())
        assert held == told, f"written but not told: {sorted(held - told)[:10]}; told but not written: {sorted(told - held)[:10]}"
        return real_finish(self, *args, **kwargs)

    real_save = OutputReuse.save

    def save(self, *args, **kwargs):
        real_save(self, *args, **kwargs)
        # the manifest's stat of each file (most taken by its writer, outputs.made) is the file's in the site now
        # (save patches the last manifest), and its signature the one the build told of it
        manifest = Manifest.load(self.file.read_bytes(), str(self.site_dir))
        assert len(manifest) == len(self.new) and set(manifest) == set(self.new)
        for i, rel in enumerate(manifest):
            st = os.stat(os.path.join(self.site_dir, rel))
            assert manifest.stat(i) == (st.st_size, st.st_mtime_ns, st.st_ino), rel
            entry = self.new[rel]
            if type(entry) is int:
                told = self.old.signature(entry)
            elif entry is None:
                told = NO_SIGNATURE
            else:
                told = entry[:SIGNATURE] if len(entry) in (SIGNATURE, MADE) else _fixed(entry)
            assert manifest.signature(i) == told, rel

    monkeypatch.setattr(OutputReuse, "finish", finish)
    monkeypatch.setattr(OutputReuse, "save", save)


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Callable[..., Path]:
    """Write a small catalog: `catalog_dir({"acme/credentials/x.yml": "..."})`.

    A taxonomy and acme/provider.yml are added unless given (pass None as content to leave one out).
    """

    def make(files: dict[str, str | bytes | None] | None = None, with_defaults: bool = True) -> Path:
        root = tmp_path / "catalog"
        wanted: dict[str, str | bytes | None] = {}
        if with_defaults:
            wanted = {"taxonomy/skills.yml": TAXONOMY, "acme/provider.yml": PROVIDER}
        wanted.update(files or {})
        for rel, content in wanted.items():
            if content is None:
                continue
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8")
        root.mkdir(exist_ok=True)
        return root

    return make


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture
def serve_dir() -> Iterator[Callable[[Path], str]]:
    """Serve a folder over HTTP on 127.0.0.1 (a free port); returns the base URL ending in '/'."""
    servers: list[socketserver.TCPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (no browser download)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (./tasks.sh test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh browser page (its own context) for one test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def copy_catalog(tmp_path: Path) -> Callable[[], Path]:
    """A writable copy of the bundled catalog in tmp_path."""

    def make() -> Path:
        target = tmp_path / "catalog"
        shutil.copytree(REPO / "catalog", target)
        return target

    return make
