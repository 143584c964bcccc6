"""Search benchmark: bytes a query fetches, index build time and memory, side by side with alternatives.

Usage:
    python bench/search.py [--sizes 10000 100000 750000] [--lunr-max 10000] [--pagefind-max 100000]
                           [--browser-at 100000] [--work /tmp/credcat-bench] [--markdown OUT.md]

For each size it writes a synthetic catalog (bench/synth.py), normalizes it with read_catalog, and
  - builds credcat's sharded index, timing it and taking the peak RSS of the build (VmHWM, reset
    just before it, so it includes the catalog already in memory, as a real build has);
  - runs a one-word, a two-word and a rare-word query through generator/search/query.py (which
    fetches what search.js fetches) and sums the gzipped bytes: meta, shards, postings tiers and
    the summaries of the 20 results shown;
  - up to --lunr-max records: one whole lunr.py index for the same records, serialized, gzipped;
  - up to --pagefind-max records: Pagefind (npm install pagefind into the work folder) over one
    HTML page per record, and the bytes its own JS fetches for the same queries in headless
    Chromium (entry, wasm, meta, index chunks and the 20 result fragments);
  - at --browser-at records: warm query time in headless Chromium, keystroke to rendered results.
Each heavy step runs in its own process so memory figures do not mix.
"""
from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
AS_OF = "2026-06-01"
QUERIES = {"one word": "management", "two words": "project management", "rare word": "pharmacy"}
CHROMIUM = "/usr/bin/chromium"


def kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB" if n < 10 * 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MB"


def run_child(args: list[str]) -> dict:
    """Run this script in a child process for one step; it prints one JSON line last."""
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"step {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


# --- steps (each runs in its own process) ---------------------------------------------------------
def step_generate(n: int, work: Path) -> dict:
    from synth import generate

    out = work / str(n) / "catalog"
    if not (out / "taxonomy").exists():
        if out.exists():
            shutil.rmtree(out)
        started = time.perf_counter()
        generate(n, out, 1)
        return {"seconds": time.perf_counter() - started}
    return {"seconds": 0}


def step_index(n: int, work: Path) -> dict:
    from generator.catalog import read_catalog
    from generator.config import Config
    from generator.search.build import build_index

    started = time.perf_counter()
    catalog = read_catalog(work / str(n) / "catalog", AS_OF)
    read_s = time.perf_counter() - started
    before = peak_rss()
    reset_peak()
    started = time.perf_counter()
    meta = build_index(catalog, Config(), work / str(n) / "site" / "search").meta
    seconds = time.perf_counter() - started
    index = work / str(n) / "site" / "search" / "index"
    size = sum(p.stat().st_size for p in index.rglob("*") if p.is_file())
    return {"read_s": read_s, "read_rss": before, "seconds": seconds, "peak_rss": peak_rss(),
            "files": meta["files"], "bytes": size, "terms": None}


def step_queries(n: int, work: Path) -> dict:
    from generator.search.query import Searcher

    out = {}
    for name, q in QUERIES.items():
        s = Searcher(work / str(n) / "site" / "search")
        started = time.perf_counter()
        r = s.search(q, prefix=False)
        ms = (time.perf_counter() - started) * 1000
        kinds: dict[str, int] = {}
        for rel, size in s.files.fetched.items():
            kinds[rel.split("/")[0]] = kinds.get(rel.split("/")[0], 0) + size
        out[name] = {"query": q, "bytes": s.files.bytes, "files": len(s.files.fetched), "total": r.total,
                     "approximate": r.approximate, "shown": len(r.ids), "ms": ms, "kinds": kinds}
    return out


def _lunr_docs(catalog) -> list[dict]:
    from generator.search.index import doc_fields

    docs = []
    for cred in catalog.credentials:
        doc: dict[str, str] = {"id": cred.id}
        for fname, _, text in doc_fields(cred, catalog):
            doc[fname] = (doc.get(fname, "") + " " + text).strip()
        docs.append(doc)
    return docs


def step_lunr(n: int, work: Path) -> dict:
    from lunr import lunr

    from generator.catalog import read_catalog
    from generator.search.index import BOOSTS

    catalog = read_catalog(work / str(n) / "catalog", AS_OF)
    docs = _lunr_docs(catalog)
    del catalog
    reset_peak()
    started = time.perf_counter()
    idx = lunr(ref="id", fields=[{"field_name": f, "boost": b} for f, b in BOOSTS.items()], documents=docs)
    blob = json.dumps(idx.serialize(), separators=(",", ":")).encode()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_rss": peak_rss(), "raw": len(blob), "gzip": len(gzip.compress(blob, 6))}


def write_pages(n: int, work: Path) -> Path:
    """One plain HTML page per record, for Pagefind."""
    from generator.catalog import read_catalog
    from generator.search.index import doc_fields

    root = work / str(n) / "pages"
    if (root / "done").exists():
        return root
    catalog = read_catalog(work / str(n) / "catalog", AS_OF)
    for cred in catalog.credentials:
        parts = {}
        for fname, _, text in doc_fields(cred, catalog):
            parts[fname] = parts.get(fname, "") + " " + text
        path = root / "credentials" / cred.id / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "".join(f"<p>{html.escape(parts[f])}</p>" for f in ("provider", "skills", "tags", "outcomes", "description"))
        path.write_text(f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(cred.name)}</title>'
                        f'</head><body><main data-pagefind-body><h1>{html.escape(cred.name)}</h1>'
                        f'<p data-pagefind-filter="type">{html.escape(cred.type)}</p>{body}</main></body></html>',
                        encoding="utf-8")
    (root / "done").write_text("")
    return root


def pagefind_bin(work: Path) -> Path:
    npm_dir = work / "pagefind-npm"
    binary = npm_dir / "node_modules" / ".bin" / "pagefind"
    if not binary.exists():
        npm_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(npm_dir), "pagefind"],
                       check=True, capture_output=True)
    return binary


def step_pagefind(n: int, work: Path) -> dict:
    binary = pagefind_bin(work)
    pages = write_pages(n, work)
    out_dir = pages / "pagefind"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", str(binary), "--site", str(pages)],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    rss_kb = int(done.stderr.strip().splitlines()[-1])
    size = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())
    return {"seconds": seconds, "peak_rss": rss_kb * 1024, "bytes": size, "fetched": pagefind_fetch(pages)}


PAGEFIND_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body><script type="module">
const pagefind = await import("./pagefind/pagefind.js");
await pagefind.options({excerptLength: 20});
window.runQuery = async (q) => {
  const r = await pagefind.search(q);
  const data = await Promise.all(r.results.slice(0, 20).map(x => x.data()));
  return {count: r.results.length, shown: data.length};
};
window.ready = true;
</script></body></html>"""


def _serve(folder: Path):
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def _browser():
    from playwright.sync_api import sync_playwright

    p = sync_playwright().start()
    b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
    return p, b


RESOURCE_BYTES = "() => performance.getEntriesByType('resource').reduce((a, e) => a + e.encodedBodySize, 0)"


PAGEFIND_CODE = ("pagefind.js", "pagefind-worker.js", "wasm.")


def pagefind_fetch(pages: Path) -> dict:
    """Bytes Pagefind fetches for each query (its worker's requests included), data and code apart."""
    (pages / "bench.html").write_text(PAGEFIND_PAGE)
    server, base = _serve(pages)
    p, b = _browser()
    out = {}
    try:
        for name, q in QUERIES.items():
            ctx = b.new_context()
            got: list[tuple[str, int]] = []
            ctx.on("requestfinished", lambda r: got.append((r.url, r.sizes()["responseBodySize"])))
            page = ctx.new_page()
            page.goto(base + "bench.html")
            page.wait_for_function("() => window.ready === true")
            res = page.evaluate("q => runQuery(q)", q)
            page.wait_for_timeout(200)
            data = sum(size for url, size in got if "/pagefind/" in url and not any(c in url for c in PAGEFIND_CODE))
            out[name] = {"bytes": data, "total": res["count"], "requests": len(got)}
            ctx.close()
    finally:
        b.close()
        p.stop()
        server.shutdown()
    code = sum(gz_size(f) if f.suffix == ".js" else f.stat().st_size for f in (pages / "pagefind").iterdir()
               if f.is_file() and (f.name in PAGEFIND_CODE[:2] or f.name.startswith("wasm.")))
    for v in out.values():
        v["code"] = code
    return out


def gz_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 6))


def step_browser(n: int, work: Path) -> dict:
    """Warm query time in Chromium: keystroke to rendered results, and bytes the JS fetched (cold)."""
    from generator.search.page import search_page_body, search_scripts, search_styles

    site = work / str(n) / "site"
    scripts = "".join(f'<script src="../{s}"></script>' for s in search_scripts())
    styles = "".join(f'<link rel="stylesheet" href="../{s}">' for s in search_styles())
    (site / "search" / "index.html").write_text(
        f'<!doctype html><html><head><meta charset="utf-8">{styles}</head><body>'
        f'<div id="credcat-search">{search_page_body()}</div>{scripts}</body></html>')
    from generator.search import copy_assets

    meta = json.loads(gzip.decompress((site / "search" / "index" / "meta.json.gz").read_bytes()))
    copy_assets(site / "search", [i["js"] for i in meta["langs"].values() if i["js"]])
    server, base = _serve(site)
    p, b = _browser()
    out: dict = {"cold_ms": [], "warm_ms": [], "bytes": {}}
    try:
        for name, q in QUERIES.items():  # bytes on a cold page, per query
            ctx = b.new_context()
            page = ctx.new_page()
            page.goto(base + "search/?q=" + q.replace(" ", "+") + "+")
            page.wait_for_function("() => document.getElementById('credcat-search').dataset.seq")
            out["bytes"][name] = page.evaluate(RESOURCE_BYTES) - page.evaluate(
                "() => performance.getEntriesByType('resource').filter(e => e.name.endsWith('.js') || e.name.endsWith('.css'))"
                ".reduce((a, e) => a + e.encodedBodySize, 0)")
            ctx.close()
        page = b.new_page()
        page.goto(base + "search/")
        page.wait_for_function("() => document.getElementById('credcat-search').dataset.seq")
        words = ["management", "project management", "data analysis", "python", "leadership skills", "health",
                 "cloud security", "marketing", "teamwork", "pharmacy"]
        for rnd in ("cold_ms", "warm_ms", "warm_ms"):
            for w in words:
                if page.input_value("#credcat-q"):
                    seq = page.evaluate("() => document.getElementById('credcat-search').dataset.seq")
                    page.fill("#credcat-q", "")
                    page.wait_for_function(f"() => document.getElementById('credcat-search').dataset.seq !== '{seq}'"
                                           " && document.getElementById('credcat-search').getAttribute('aria-busy') === 'false'")
                page.focus("#credcat-q")
                page.keyboard.type(w)
                page.wait_for_function(f"() => document.getElementById('credcat-q').value === {json.dumps(w)}"
                                       " && document.getElementById('credcat-search').getAttribute('aria-busy') === 'false'")
                out[rnd].append(int(page.evaluate("() => document.getElementById('credcat-search').dataset.renderMs")))
    finally:
        b.close()
        p.stop()
        server.shutdown()
    out["cold_median_ms"] = statistics.median(out["cold_ms"])
    out["warm_median_ms"] = statistics.median(out["warm_ms"])
    out["warm_p90_ms"] = sorted(out["warm_ms"])[int(0.9 * (len(out["warm_ms"]) - 1))]
    return out


STEPS = {"generate": step_generate, "index": step_index, "queries": step_queries, "lunr": step_lunr,
         "pagefind": step_pagefind, "browser": step_browser}


# --- report ---------------------------------------------------------------------------------------
def report(results: dict[int, dict]) -> str:
    lines = ["| records | query | credcat fetched (gzip) | whole lunr index (gzip) | Pagefind fetched (its worker's requests too) |",
             "|---|---|---|---|---|"]
    for n, r in results.items():
        for name in QUERIES:
            q = r["queries"][name]
            lunr_cell = kb(r["lunr"]["gzip"]) if "lunr" in r else "not run"
            pf = r.get("pagefind")
            pf_cell = (f"{kb(pf['fetched'][name]['bytes'])} (+ {kb(pf['fetched'][name]['code'])} code)" if pf
                       else r.get("pagefind_note", "not run"))
            approx = " (about)" if q["approximate"] else ""
            lines.append(f"| {n:,} | {name} `{q['query']}`: {q['total']:,}{approx} results | {kb(q['bytes'])} "
                         f"({q['files']} files) | {lunr_cell} | {pf_cell} |")
    lines += ["", "| records | credcat index build | peak RSS (catalog included) | index on disk | files | "
                  "lunr.py build, peak RSS | Pagefind build, peak RSS |", "|---|---|---|---|---|---|---|"]
    for n, r in results.items():
        i = r["index"]
        lu = f"{r['lunr']['seconds']:.0f} s, {kb(r['lunr']['peak_rss'])}" if "lunr" in r else "not run"
        pf = f"{r['pagefind']['seconds']:.0f} s, {kb(r['pagefind']['peak_rss'])}" if "pagefind" in r else "not run"
        lines.append(f"| {n:,} | {i['seconds']:.1f} s | {kb(i['peak_rss'])} (catalog alone {kb(i['read_rss'])}) | "
                     f"{kb(i['bytes'])} | {i['files']:,} | {lu} | {pf} |")
    code = sum(gz_size(REPO / "theme" / "search" / f) for f in ("search.js", "search-ui.js"))
    from generator.search.text import LUNR_JS

    lines += ["", f"Code, fetched once and cached: credcat's search.js + search-ui.js {kb(code)}, lunr.js "
                  f"{kb(gz_size(LUNR_JS))} (gzip; lunr-languages files only for the catalog's languages)."]
    for n, r in results.items():
        if "browser" in r:
            br = r["browser"]
            lines += ["", f"Headless Chromium at {n:,} records, keystroke to rendered results: warm median "
                          f"{br['warm_median_ms']:.0f} ms (p90 {br['warm_p90_ms']} ms), first fetch median "
                          f"{br['cold_median_ms']:.0f} ms; index bytes the page fetched: "
                      + ", ".join(f"{k} {kb(v)}" for k, v in br["bytes"].items()) + "."]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 750_000], help="catalog sizes")
    ap.add_argument("--lunr-max", type=int, default=10_000, help="largest size to build one whole lunr index for")
    ap.add_argument("--pagefind-max", type=int, default=100_000, help="largest size to run Pagefind on")
    ap.add_argument("--browser-at", type=int, default=100_000, help="size to time queries in Chromium at (0: none)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/credcat-bench"), help="folder for catalogs and sites")
    ap.add_argument("--markdown", type=Path, help="also write the tables to this file")
    ap.add_argument("--step", nargs=2, metavar=("STEP", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step:
        print(json.dumps(STEPS[args.step[0]](int(args.step[1]), args.work)))
        return
    results: dict[int, dict] = {}
    for n in args.sizes:
        r: dict = {}
        w = ["--work", str(args.work)]
        print(f"[{n:,}] generating", file=sys.stderr, flush=True)
        r["generate"] = run_child(["--step", "generate", str(n), *w])
        print(f"[{n:,}] indexing", file=sys.stderr, flush=True)
        r["index"] = run_child(["--step", "index", str(n), *w])
        r["queries"] = run_child(["--step", "queries", str(n), *w])
        if n <= args.lunr_max:
            print(f"[{n:,}] lunr", file=sys.stderr, flush=True)
            r["lunr"] = run_child(["--step", "lunr", str(n), *w])
        if n <= args.pagefind_max:
            print(f"[{n:,}] pagefind", file=sys.stderr, flush=True)
            try:
                r["pagefind"] = run_child(["--step", "pagefind", str(n), *w])
            except (RuntimeError, subprocess.CalledProcessError) as err:
                r["pagefind_note"] = "failed: " + str(err).splitlines()[0][:80]
        else:
            r["pagefind_note"] = "not run (~65 KB RSS per page)"
        if n == args.browser_at:
            print(f"[{n:,}] browser", file=sys.stderr, flush=True)
            r["browser"] = run_child(["--step", "browser", str(n), *w])
        results[n] = r
        (args.work / "results.json").write_text(json.dumps(results, indent=1))
        print(report({n: r}), file=sys.stderr, flush=True)
    table = report(results)
    print(table)  # stdout holds the tables only: progress and each size's own table go to stderr
    if args.markdown:
        args.markdown.write_text(table + "\n")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
