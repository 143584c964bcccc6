"""bench/search_peak.py runs end to end on a small catalog, with the second pass in workers and in the build process."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="reads /proc/<pid>/smaps_rollup (Linux)")
@pytest.mark.parametrize("where", [[], ["--second-pass-here"]])
def test_search_peak_bench_reports_the_build_process_and_all_processes(tmp_path, where):
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "search_peak.py"), "--size", "600",
                           "--work", str(tmp_path), *where], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert ("second pass in the build process" in done.stdout) == bool(where)
    row = re.search(r"^\| ([\d,]+) MB \| ([\d,]+) MB \| ([\d,]+) MB \| (\d+\.\d) \|$", done.stdout, re.M)
    assert row, done.stdout
    before, own, total = (int(value.replace(",", "")) for value in row.groups()[:3])
    assert before > 0 and own > 0 and total > 0  # every figure sampled: a process holds memory
    assert (tmp_path / "cache-600" / "records.sqlite").is_file()  # the record store bench/run names so
