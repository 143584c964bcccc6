"""bench/copies.py runs end to end on a small catalog: a worker copies what it reads, and nothing when idle."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="reads /proc/self/smaps_rollup (Linux)")
def test_copies_bench_reports_what_each_kind_of_worker_copies(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "copies.py"), "--size", "800", "--work", str(tmp_path),
                           "--search"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = {name: int(mb.replace(",", "")) for name, mb in re.findall(r"^\| ([^|]+?) \| ([\d,]+) MB \|", done.stdout, re.M)}
    assert rows["the build process itself (resident)"] > 0
    idle = rows["a worker that does nothing"]
    browse = rows["the browse pages (every credential by type, level, audience)"]
    assert idle <= 1 < browse  # reading every credential copies pages; forking alone copies none
    pages = [int(n) for name in rows for n in re.findall(r"credential-page tasks \(([\d,]+) pages\)", name)]
    assert pages and 0 < pages[0] <= 800, rows
    assert re.search(r"^\| the statistics page \| [\d,]+ MB \| \d+\.\d\d \|$", done.stdout, re.M)
    # --search: the search stage's two kinds of worker, each copying what it reads
    first = [mb for name, mb in rows.items() if re.fullmatch(r"\d+ first-pass search chunks \([\d,]+ credentials\)", name)]
    second = [mb for name, mb in rows.items() if name.startswith("a second-pass search worker's share of two")]
    assert first and second and first[0] > idle and second[0] > idle, rows
    assert rows["the build process once the first pass is joined (resident)"] > 0
