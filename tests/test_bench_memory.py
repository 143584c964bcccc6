"""bench/memory.py runs end to end on a small catalog, and sharing makes a loaded record smaller."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_memory_bench_reports_shared_records_smaller(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "memory.py"), "--size", "60", "--work", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = dict(re.findall(r"^\| (shared values \(the build\)|plain classes) \| ([\d,]+) \|", done.stdout, re.M))
    shared, plain = (int(rows[k].replace(",", "")) for k in ("shared values (the build)", "plain classes"))
    assert 0 < shared < plain
    assert re.search(r"ratio shared / plain: 0\.\d\d of the bytes", done.stdout)
