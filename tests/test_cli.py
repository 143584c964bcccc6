"""The command line: exit codes, output formats and messages, through click's CliRunner and a real subprocess."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main

BASE = """\
title: Data Analysis with Python
type: certificate
description: Learn to clean data.
url: https://acme.example/x
languages: [en]
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_validate_valid_catalog_reports_counts(catalog_dir):
    root = catalog_dir({"acme/credentials/x.yml": BASE, "acme/credentials/y.yml": BASE})
    code, out = run("validate", "--catalog", str(root), "--as-of", "2026-11-29")
    assert code == 0
    assert out.strip() == "Catalog is valid: 2 credentials from 1 provider."


def test_validate_problems_exit_1_with_summary(catalog_dir):
    root = catalog_dir({"acme/credentials/x.yml": BASE.replace("type: certificate", "type: expert"),
                        "acme/credentials/y.yml": BASE + "titel: x\n"})
    code, out = run("validate", "--catalog", str(root))
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[0].endswith("acme/credentials/x.yml:2:7: error: type: expected one of micro-credential, badge, "
                             "certificate, certification, course, learning-program, got 'expert'")
    assert any(line.endswith("acme/credentials/y.yml:6:1: error: titel: unknown field 'titel'") for line in lines)
    assert "  hint: did you mean 'title'?" in lines
    assert lines[-1] == "Aborted with 2 errors in 2 files."


def test_validate_json_format(catalog_dir):
    root = catalog_dir({"acme/credentials/x.yml": BASE + "skills: [pyhton]\n"})
    code, out = run("validate", "--catalog", str(root), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["credentials"] == 1 and data["providers"] == 1
    [problem] = data["problems"]
    assert set(problem) >= {"path", "line", "column", "severity", "field", "message", "hint"}
    assert (problem["line"], problem["column"], problem["severity"], problem["field"]) == (6, 10, "warning", "skills.0")


def test_validate_github_format(catalog_dir):
    root = catalog_dir({"acme/credentials/x.yml": BASE.replace("https://acme.example/x", "http://acme.example/x")})
    code, out = run("validate", "--catalog", str(root), "--format", "github")
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith("::error file=")
    assert ",line=4,col=6,title=credcat::url: expected an https:// URL, got 'http://acme.example/x'%0A" in first


def test_strict_makes_warnings_fatal(catalog_dir):
    root = catalog_dir({"acme/credentials/x.yml": BASE + "skills: [pyhton]\n"})
    assert run("validate", "--catalog", str(root))[0] == 0
    code, out = run("validate", "--catalog", str(root), "--strict")
    assert code == 1
    assert out.strip().splitlines()[-1] == "Aborted with 1 warning in 1 file."


def test_validate_given_paths_only(catalog_dir):
    root = catalog_dir({"acme/credentials/bad.yml": "title: [\n", "acme/credentials/good.yml": BASE})
    code, out = run("validate", "--catalog", str(root), str(root / "acme/credentials/good.yml"))
    assert code == 0, out
    assert out.strip() == "Catalog is valid: 1 credential from 1 provider."


def test_usage_errors_exit_2(catalog_dir, tmp_path):
    assert run("validate", "--catalog", str(tmp_path / "nope"))[0] == 2
    root = catalog_dir({})
    code, out = run("validate", "--catalog", str(root), str(tmp_path))
    assert code == 2 and "is not inside the catalog folder" in out
    assert run("validate", "--format", "xml")[0] == 2
    assert run("show", "not-an-id")[0] == 2
    assert run("validate", "--as-of", "yesterday")[0] == 2


def test_show_prints_normalized_record(catalog_dir):
    root = catalog_dir({"acme/credentials/x.yml": BASE + "cost: $49\nworkload: PT40H\nlevel: EQF 4\n"})
    code, out = run("show", "acme/x", "--catalog", str(root), "--as-of", "2026-11-29")
    assert code == 0
    data = json.loads(out)
    assert data["id"] == "acme/x"
    assert data["cost"] == [{"amount": "49", "currency": "USD", "per": None}]
    assert data["workload"] == {"hours": 40, "ects": None}
    assert data["level"] == {"eqf": 4, "audience": None}
    assert data["seal"]["missing"][0] == "learning outcomes"
    assert data["content_hash"].startswith("sha256:")


def test_show_broken_record_explains(catalog_dir):
    root = catalog_dir({"acme/credentials/x.yml": BASE.replace("[en]", "[zz-qq]")})
    result = CliRunner().invoke(main, ["show", "acme/x", "--catalog", str(root)])
    assert result.exit_code == 1
    assert "'zz-qq' is not a language this catalog knows" in result.output
    assert "Aborted: acme/x has errors" in result.output


def test_show_unknown_id(catalog_dir):
    root = catalog_dir({})
    code, out = run("show", "acme/nope", "--catalog", str(root))
    assert code == 2 and "no credential 'acme/nope'" in out


def test_new_writes_a_template_that_validates(tmp_path):
    root = tmp_path / "catalog"
    (root / "taxonomy").mkdir(parents=True)
    (root / "taxonomy/skills.yml").write_text("skills:\n  - {id: communication, label: Communication, kind: power}\n")
    code, out = run("new", "new-provider/first-badge", "--catalog", str(root), "--as-of", "2026-11-29")
    assert code == 0, out
    record = root / "new-provider/credentials/first-badge.yml"
    assert record.read_text().startswith("# yaml-language-server: $schema=../../../schemas/credential.schema.json")
    code, out = run("validate", "--catalog", str(root), "--as-of", "2026-11-29")
    assert code == 0, out
    assert run("new", "new-provider/first-badge", "--catalog", str(root))[0] == 2  # never overwrites
    assert run("new", "New Provider/x", "--catalog", str(root))[0] == 2


def test_schema_command_and_check(tmp_path, repo_root):
    out = tmp_path / "schemas"
    assert run("schema", "--out", str(out))[0] == 0
    schema = json.loads((out / "credential.schema.json").read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert run("schema", "--out", str(out), "--check")[0] == 0
    (out / "provider.schema.json").write_text("{}")
    assert run("schema", "--out", str(out), "--check")[0] == 1
    # the checked-in schemas are current
    assert run("schema", "--out", str(repo_root / "schemas"), "--check")[0] == 0


def test_codeowners(catalog_dir, tmp_path, repo_root):
    root = catalog_dir({"beta/provider.yml": "name: B\nurl: https://b.example\ncountry: DE\nmaintainers: ['@b-team', alice]\n"})
    target = tmp_path / "CODEOWNERS"
    code, _ = run("codeowners", "--catalog", str(root), "--out", str(target))
    assert code == 0
    lines = [line for line in target.read_text().splitlines() if not line.startswith("#")]
    assert lines[0].endswith("/acme/ @acme-team") and lines[1].endswith("/beta/ @alice @b-team")
    assert run("codeowners", "--catalog", str(root), "--out", str(target), "--check")[0] == 0
    target.write_text("stale\n")
    assert run("codeowners", "--catalog", str(root), "--out", str(target), "--check")[0] == 1
    cwd = os.getcwd()
    try:  # the checked-in CODEOWNERS is current for the bundled catalog
        os.chdir(repo_root)
        assert run("codeowners", "--check")[0] == 0
    finally:
        os.chdir(cwd)


def test_bundled_catalog_is_valid(repo_root):
    cwd = os.getcwd()
    try:
        os.chdir(repo_root)
        code, out = run("validate", "--as-of", "2026-11-29")
    finally:
        os.chdir(cwd)
    assert code == 0, out
    last = out.strip().splitlines()[-1]
    assert last.startswith("Catalog is valid: ")
    count = int(last.split()[3])
    assert count >= 60


def test_hostile_catalog_in_a_real_process(catalog_dir, tmp_path):
    """Every kind of bad file at once: exit 1, each named with a line, no traceback, fast."""
    bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'] + [
        f"{n}: &{n} [" + ",".join([f"*{p}"] * 9) + "]" for p, n in zip("abcdefgh", "bcdefghi")]
    files: dict[str, str | bytes | None] = {
        "acme/credentials/syntax.yml": "title: [unclosed\n",
        "acme/credentials/tabs.yml": "title: A\nskills:\n\t- x\n",
        "acme/credentials/list.yml": "- a\n- b\n",
        "acme/credentials/latin1.yml": b"title: caf\xe9\n",
        "acme/credentials/dupes.yml": BASE + "title: again\n",
        "acme/credentials/pytag.yml": "title: !!python/object/apply:os.system [ls]\n",
        "acme/credentials/bomb.yml": "\n".join(bomb) + "\n",
        "acme/credentials/fields.yml": BASE + "colour: red\n",
        "acme/credentials/types.yml": BASE.replace("languages: [en]", "languages: {a: 1}"),
        "acme/credentials/enum.yml": BASE.replace("certificate", "diploma"),
        "acme/credentials/missing.yml": "title: only\n",
        "acme/credentials/http.yml": BASE.replace("https://acme.example/x", "javascript:alert(1)"),
        "acme/credentials/date.yml": BASE + "last_verified: 2026-02-31\n",
        "acme/credentials/Unsafe Slug.yml": BASE,
        "acme/credentials/dangling.yml": BASE + "stackability: {part_of: [acme/ghost]}\n",
    }
    root = catalog_dir(files)
    big = root / "acme/credentials/big.yml"
    with big.open("w") as fh:
        fh.write("description: |\n")
        for _ in range(53 * 1024):
            fh.write("  " + "y" * 1000 + "\n")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "generator.cli", "validate", "--catalog", str(root)],
                          capture_output=True, text=True, timeout=60)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert elapsed < 10
    for name in [*(Path(k).name for k in files), "big.yml"]:
        assert any(name in line and ": error: " in line for line in proc.stdout.splitlines()), name
    for line in proc.stdout.splitlines():
        if ": error: " in line and "Unsafe Slug" not in line:
            location = line.split(": error: ")[0]
            assert location.count(":") == 2 and location.split(":")[1].isdigit(), line
    assert proc.stdout.strip().splitlines()[-1].startswith("Aborted with ")


def test_the_program_builds_through_a_pipe_and_leaves_without_teardown(catalog_dir, tmp_path):
    """`credcat` is cli.run: it leaves by os._exit once the command is done, so what it printed must be flushed
    first, and its exit status kept (0 built, 1 a catalog error), whether stdout is a pipe or not."""
    import tomllib

    repo = Path(__file__).resolve().parents[1]
    scripts = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["credcat"] == "generator.cli:run"
    record = ("title: Teamwork\ntype: badge\ndescription: Working in a team.\nurl: https://acme.example/t\n"
              "languages: [en]\nskills: [teamwork]\nlast_verified: 2026-09-01\n")
    root = catalog_dir({"acme/credentials/teamwork.yml": record})
    command = [sys.executable, "-m", "generator.cli", "build", "--config", str(repo / "site_config.yml"),
               "--catalog", str(root), "--out", str(tmp_path / "site"), "--as-of", "2026-11-29"]
    built = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=repo)
    assert built.returncode == 0, built.stderr
    assert built.stdout.strip().splitlines()[-1].startswith("Built 1 credential from 1 provider")
    assert (tmp_path / "site/credentials/acme/teamwork/index.html").is_file()
    (root / "acme/credentials/teamwork.yml").write_text(record.replace("type: badge", "type: nonsense"))
    failed = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=repo)
    assert failed.returncode == 1
    assert "teamwork.yml:2" in failed.stdout and failed.stdout.strip().splitlines()[-1].startswith("Aborted with ")


def test_a_stage_s_progress_bar_leaves_no_thread_behind():
    """rich redraws a bar from a thread; once the stage ends it is gone (a build forks beside render only while no
    other thread runs: processes.Background)."""
    import threading

    from generator.progress import terminal_progress

    before = set(threading.enumerate())
    with terminal_progress("Rendering pages", 10) as advance:
        advance(10)
        assert len(set(threading.enumerate()) - before) == 1  # the bar's redraw thread
    assert set(threading.enumerate()) == before
