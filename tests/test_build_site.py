"""`credcat build`: every page exists, every link resolves, builds are atomic and reproducible, errors are clean."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from generator.catalog import read_catalog
from generator.cli import main
from site_support import ADVANCED, AS_OF, FULL_RECORD, PROGRAM, REPO, build, config_copy, digest, html_files

CATALOG = REPO / "catalog"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The bundled catalog, built once for this module."""
    out = tmp_path_factory.mktemp("bundled") / "site"
    result = build(out)
    assert result.exit_code == 0, result.output
    return out


def test_bundled_catalog_builds_with_one_summary_line(tmp_path):
    result = build(tmp_path / "site")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Built ") and "credentials from" in lines[0]


def test_every_credential_provider_and_skill_has_its_page(site):
    catalog = read_catalog(CATALOG, AS_OF)
    missing = [c.id for c in catalog.credentials if not (site / "credentials" / c.id / "index.html").is_file()]
    missing += [p for p in catalog.providers if not (site / "providers" / p / "index.html").is_file()]
    missing += [s for s in catalog.taxonomy.skills if not (site / "skills" / s / "index.html").is_file()]
    missing += [t for t in catalog.by_type if not (site / "browse/type" / t / "index.html").is_file()]
    missing += [f"eqf-{n}" for n in catalog.by_eqf if not (site / f"browse/level/eqf-{n}/index.html").is_file()]
    missing += [a for a in catalog.by_audience if not (site / "browse/level" / a / "index.html").is_file()]
    assert missing == []
    for path in ("index.html", "search/index.html", "providers/index.html", "skills/index.html", "browse/index.html",
                 "stats/index.html", "compare/index.html", "sitemap.xml", "sitemap.xml.gz", "robots.txt", "404.html",
                 "quality-seal/index.html", "contributing/index.html", "api/index.html", "building/index.html"):
        assert (site / path).is_file(), path
    assert not (site / "credcat-shell.html").exists()  # the shell is rendered, never written


def _targets(page: Path, site: Path) -> list[tuple[str, str]]:
    """(attribute value, what it must resolve to) for every internal href/src/action of a page."""
    doc = lxml.html.fromstring(page.read_bytes())
    base = "http://site.test/" + page.relative_to(site).as_posix()
    found = []
    for element in doc.iter():
        for attr in ("href", "src", "action"):
            value = element.get(attr)
            if value is None or element.tag == "base":
                continue
            url = urlsplit(urljoin(base, value))
            if url.scheme in ("http", "https") and url.netloc != "site.test":
                continue  # external
            if url.scheme not in ("http", "https"):
                continue  # mailto: and friends; javascript: is tested elsewhere
            found.append((value, unquote(url.path)))
    return found


def test_every_internal_link_resolves_to_a_file(site):
    broken = []
    pages = list(html_files(site))
    assert len(pages) > 100
    for page in pages:
        for value, path in _targets(page, site):
            target = site / path.lstrip("/")
            if path.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {value}")
    assert broken == []


def test_same_page_fragments_exist(site):
    missing = []
    for page in html_files(site):
        doc = lxml.html.fromstring(page.read_bytes())
        ids = set(doc.xpath("//@id"))
        for href in doc.xpath("//a/@href"):
            if href.startswith("#") and len(href) > 1 and href[1:] not in ids:
                missing.append(f"{page.relative_to(site)}: {href}")
    assert missing == []


def test_two_builds_are_byte_identical(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    assert build(first).exit_code == 0
    assert build(second).exit_code == 0
    a, b = digest(first), digest(second)
    assert sorted(a) == sorted(b)
    assert [p for p in a if a[p] != b[p]] == []


def test_invalid_record_fails_with_every_problem_and_keeps_the_previous_site(tmp_path, copy_catalog):
    catalog = copy_catalog()
    out = tmp_path / "site"
    assert build(out, catalog=catalog).exit_code == 0
    before = digest(out)
    (catalog / "ibm/credentials/broken.yml").write_text(
        "title: Broken\ntype: diploma\ndescription: x\nurl: http://insecure.example\nlanguages: [en]\nlevel: expert\n",
        encoding="utf-8")
    result = build(out, catalog=catalog)
    assert result.exit_code == 1
    assert "broken.yml:2:7: error: type:" in result.output
    assert "broken.yml:6:8: error: level:" in result.output
    assert "Aborted with 3 errors" in result.output and "previous site was left as it was" in result.output
    assert digest(out) == before
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []  # no staging folder left behind


def test_failure_after_mkdocs_leaves_the_site_and_no_staging_folder(tmp_path, monkeypatch):
    out = tmp_path / "site"
    assert build(out).exit_code == 0
    before = digest(out)

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("generator.sitemap.write_sitemap", explode)
    result = build(out)
    assert result.exit_code == 1 and "Build failed: disk full" in result.output
    assert digest(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["site"]


def test_mkdocs_build_gives_the_same_site(tmp_path):
    config = config_copy(tmp_path / "conf", as_of=AS_OF)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    assert build(ours, config=config).exit_code == 0
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(theirs)],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    a, b = digest(ours), digest(theirs)
    credential_pages = [p for p in a if p.startswith("credentials/")]
    assert credential_pages and all(a[p] == b.get(p) for p in credential_pages)
    assert sorted(a) == sorted(b)
    assert [p for p in a if a[p] != b[p]] == []


def test_mkdocs_build_reports_catalog_errors(tmp_path, catalog_dir):
    catalog = catalog_dir({"acme/credentials/x.yml": "title: X\ntype: nonsense\n"})
    config = config_copy(tmp_path / "conf", as_of=AS_OF, catalog=str(catalog))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(tmp_path / "o")],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 1
    assert "x.yml:2:7: error: type:" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize(("change", "expected"), [
    (("browse_page_size", 0), "option 'browse_page_size': expected a whole number of at least 1, got 0"),
    (("api_page_size", "many"), "option 'api_page_size': expected a whole number of at least 1, got 'many'"),
    (("facets", ["type", "colour"]), "option 'facets': Expected one of"),
    (("as_of", "29/11/2026"), "option 'as_of': expected a date as YYYY-MM-DD, got '29/11/2026'"),
    (("licence_url", "not a url"), "option 'licence_url'"),
])
def test_bad_config_values_give_a_clean_message_and_exit_2(tmp_path, change, expected):
    config = config_copy(tmp_path / "conf", **{change[0]: change[1]})
    result = build(tmp_path / "site", config=config)
    assert result.exit_code == 2
    assert expected in result.output
    assert "Aborted with 1 configuration error." in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(("text", "expected"), [
    ("site_name: x\ntheme: {name: material\n", "error parsing the configuration file"),
    ("site_name: x\ntheme: {name: material}\nplugins: [credcat]\nextra: {when: 2026-13-01}\n", "month must be in 1..12"),
    ("site_name: x\ntheme: {name: material}\ndocs_dir: %s\n" % (REPO / "docs"), "the credcat plugin is not enabled"),
])
def test_broken_config_files_give_a_clean_message_and_exit_2(tmp_path, text, expected):
    config = tmp_path / "site_config.yml"
    config.write_text(text, encoding="utf-8")
    result = build(tmp_path / "site", config=config)
    assert result.exit_code == 2
    assert expected in result.output and "Traceback" not in result.output


def test_missing_config_file_and_bad_date_are_usage_errors(tmp_path):
    result = build(tmp_path / "site", config=tmp_path / "nope.yml")
    assert result.exit_code == 2 and "no such configuration file" in result.output
    result = CliRunner().invoke(main, ["build", "--as-of", "2026-02-30", "--out", str(tmp_path / "s")])
    assert result.exit_code == 2 and "expected a date as YYYY-MM-DD" in result.output


def test_quiet_build_prints_nothing(tmp_path):
    result = CliRunner().invoke(main, ["-q", "build", "--out", str(tmp_path / "site"), "--as-of", AS_OF,
                                       "--config", str(REPO / "site_config.yml")])
    assert result.exit_code == 0 and result.output == ""


def test_catalog_option_overrides_the_config_and_lists_paginate(tmp_path, catalog_dir):
    files = {"acme/credentials/data-analysis.yml": FULL_RECORD, "acme/credentials/data-program.yml": PROGRAM,
             "acme/credentials/advanced-analytics.yml": ADVANCED}
    for n in range(3):
        files[f"acme/credentials/extra-{n}.yml"] = PROGRAM.replace("Data Program", f"Extra {n}")
    catalog = catalog_dir(files)
    config = config_copy(tmp_path / "conf", browse_page_size=2)
    out = tmp_path / "site"
    result = build(out, config=config, catalog=catalog)
    assert result.exit_code == 0, result.output
    assert "Built 6 credentials from 1 provider" in result.output
    assert "1 warning in the catalog" in result.output  # the unknown skill
    assert (out / "providers/acme/page/3/index.html").is_file()
    assert not (out / "providers/acme/page/4").exists()
    assert (out / "skills/python/page/3/index.html").is_file()
    first = BeautifulSoup((out / "providers/acme/index.html").read_bytes(), "lxml")
    assert first.select_one('link[rel="next"]')["href"] == "../../providers/acme/page/2/"
    second = BeautifulSoup((out / "providers/acme/page/2/index.html").read_bytes(), "lxml")
    assert second.select_one('link[rel="prev"]')["href"] == "../../../../providers/acme/"
    assert second.select_one('link[rel="canonical"]')["href"] == "https://credcat.example/providers/acme/page/2/"
    current = second.select('.credcat-pagination a[aria-current="page"]')
    assert [a.get_text().strip() for a in current] == ["Page 2"]
    # Retired credentials are listed after active ones.
    titles = [a.get_text() for p in ("", "page/2/", "page/3/")
              for a in BeautifulSoup((out / f"providers/acme/{p}index.html").read_bytes(), "lxml").select(".credcat-card__title a")]
    assert titles[-1] == "Advanced Analytics"


def test_strict_makes_catalog_warnings_fatal(tmp_path, catalog_dir):
    catalog = catalog_dir({"acme/credentials/data-analysis.yml": FULL_RECORD, "acme/credentials/data-program.yml": PROGRAM,
                           "acme/credentials/advanced-analytics.yml": ADVANCED})
    result = build(tmp_path / "site", "--strict", catalog=catalog)
    assert result.exit_code == 1
    assert "warning: skills.3: unknown skill 'underwater basket weaving'" in result.output


def test_sitemap_and_robots(site):
    import gzip

    text = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()).decode() == text
    doc = lxml.etree.fromstring(text.encode())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = doc.xpath("//s:loc/text()", namespaces=ns)
    catalog = read_catalog(CATALOG, AS_OF)
    for cred in catalog.credentials:
        assert f"https://credcat.example/credentials/{cred.id}/" in locs
    assert "https://credcat.example/" in locs and not any(l.endswith("404.html") for l in locs)
    assert locs == sorted(locs)
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://credcat.example/sitemap.xml" in robots


def test_sitemap_splits_past_the_protocol_limit(tmp_path, monkeypatch):
    from generator import sitemap
    from generator.config import Config

    for n in range(5):
        (tmp_path / f"p{n}").mkdir()
        (tmp_path / f"p{n}/index.html").write_text("<html></html>")
    monkeypatch.setattr(sitemap, "MAX_URLS", 2)
    catalog = read_catalog(CATALOG, AS_OF)
    assert sitemap.write_sitemap(catalog, Config(), tmp_path) == 5
    index = (tmp_path / "sitemap.xml").read_text()
    assert "<sitemapindex" in index and index.count("<sitemap>") == 3
    assert (tmp_path / "sitemap-3.xml").read_text().count("<url>") == 1


def test_sitemap_leaves_out_hidden_paths_and_the_404_page(tmp_path):
    """A page under a folder whose name starts with a dot (at any depth) is not listed; a dot elsewhere is."""
    from generator import sitemap
    from generator.config import Config

    catalog = read_catalog(CATALOG, AS_OF)
    pages = ["", "a.b/", ".hidden/", "x/.hidden/", "x/y/.z/", "x/y.z/", "404.html", "x/y/"]
    assert sitemap.write_sitemap(catalog, Config(site_url="https://s.example/"), tmp_path, pages=pages) == 4
    locs = (tmp_path / "sitemap.xml").read_text().split("<loc>")[1:]
    assert [loc.split("</loc>")[0] for loc in locs] == [
        "https://s.example/", "https://s.example/a.b/", "https://s.example/x/y.z/", "https://s.example/x/y/"]


def test_staging_and_swap_replace_the_site_whole(tmp_path):
    from generator.build import staging, swap

    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("old")
    with staging(site) as tmp:
        (tmp / "new.html").write_text("new")
        swap(tmp, site)
    assert sorted(p.name for p in site.iterdir()) == ["new.html"]
    # The replaced site is deleted by a detached process: give it a moment.
    deadline = time.monotonic() + 30
    while sorted(p.name for p in tmp_path.iterdir()) != ["site"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    with pytest.raises(RuntimeError):
        with staging(site) as tmp:
            (tmp / "half.html").write_text("half")
            raise RuntimeError("stage failed")
    assert sorted(p.name for p in site.iterdir()) == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    shutil.rmtree(site)


def test_staging_deletes_build_folders_that_stopped_builds_left(tmp_path):
    """A build killed outright leaves its `.site.building-<pid>`; the next build deletes it, not another's under way."""
    from generator.build import staging

    site = tmp_path / "site"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stopped = tmp_path / f".site.building-{gone.pid}"
        (stopped / "credentials").mkdir(parents=True)
        (stopped / "credentials" / "half.html").write_text("half")
        running = tmp_path / f".site.building-{alive.pid}"
        running.mkdir()
        others = [tmp_path / ".site.building-notanumber", tmp_path / f".other.building-{gone.pid}"]
        for folder in others:
            folder.mkdir()
        with staging(site) as tmp:
            assert tmp.name == f".site.building-{os.getpid()}"
        deadline = time.monotonic() + 30  # deleted by a detached process
        while stopped.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not stopped.exists()
        assert running.is_dir() and all(folder.is_dir() for folder in others)
    finally:
        alive.kill()
        alive.wait()
