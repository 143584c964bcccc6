"""`credcat build --previous` points the change feed at a published site other than the output folder."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main

RECORD = "title: {t}\ntype: badge\ndescription: d\nurl: https://acme.example/{s}\nlanguages: [en]\n"


def build(catalog, out, *extra):
    result = CliRunner().invoke(main, ["build", "--catalog", str(catalog), "--out", str(out),
                                       "--as-of", "2026-11-29", *extra])
    assert result.exit_code == 0, result.output
    return json.loads((out / "api/v1/feed.json").read_text())


def test_previous_option_compares_with_the_given_site(catalog_dir, tmp_path):
    root = catalog_dir({"acme/credentials/a.yml": RECORD.format(t="A", s="a"),
                        "acme/credentials/b.yml": RECORD.format(t="B", s="b")})
    first = tmp_path / "published"
    build(root, first)
    (root / "acme/credentials/b.yml").unlink()
    # Built into a fresh folder: without --previous every record is new and b is simply absent.
    fresh = build(root, tmp_path / "fresh")
    assert [i["_credcat"]["change"] for i in fresh["items"]] == ["added"]
    # With --previous the removal of b is seen and published as a tombstone.
    feed = build(root, tmp_path / "next", "--previous", str(first))
    newest = feed["items"][0]["_credcat"]
    assert (newest["change"], newest["credential_id"]) == ("removed", "acme/b")
    shutil.rmtree(first)


def test_a_previous_build_that_cannot_be_read_is_a_clean_failure(tmp_path):
    """--previous pointing at a folder with no change state: a one-line message and exit 1, no traceback."""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    empty = tmp_path / "empty"
    empty.mkdir()
    done = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--config", str(repo / "site_config.yml"),
                           "--out", str(tmp_path / "site"), "--previous", str(empty), "--as-of", "2026-11-29"],
                          capture_output=True, text=True, timeout=300, cwd=repo)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"Build failed: no change state found at {empty}" in done.stderr
    assert "previous site was left as it was" in done.stderr and not (tmp_path / "site").exists()
