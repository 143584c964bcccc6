"""The feeds stage streams: documents, bulk dumps and paged lists are written with memory that does not
grow with the catalog (measured with tracemalloc around write_feeds; the catalog itself is built first)."""
from __future__ import annotations

import gc
import tracemalloc
from dataclasses import replace
from pathlib import Path

from generator.catalog import from_credentials, read_catalog
from generator.config import Config
from generator.feeds import write_feeds
from test_feeds import AS_OF, catalog_files


def clones(root: Path, n: int):
    """A catalog of n credentials: copies of the small catalog's records under new ids."""
    base = read_catalog(root, AS_OF)
    creds = []
    for i in range(n):
        cred = base.credentials[i % len(base.credentials)]
        slug = f"c-{i:06d}"
        creds.append(replace(cred, id=f"{cred.provider.id}/{slug}", slug=slug, part_of=(), leads_to=(),
                             title=((cred.title[0][0], f"{cred.title[0][1]} {i}"),) + cred.title[1:]))
    return from_credentials(creds, base.taxonomy, AS_OF)


def traced_peak(catalog, config: Config, out: Path) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        write_feeds(catalog, config, out)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_catalog(catalog_dir, tmp_path, monkeypatch):
    from generator.feeds import chunks, writer

    root = catalog_dir(catalog_files())
    config = Config(site_dir=tmp_path / "none", api_page_size=100, feed_page_size=50, api_exports=False)
    # Memory grows with the chunk (a fixed number of credentials), not the catalog: small chunks so
    # both catalogs span many, and one process, whose chunks tracemalloc sees.
    monkeypatch.setattr(chunks, "CHUNK", 100)
    # Likewise the change log's and state's members (a member's lines are held until it ends) and the bulk runs.
    monkeypatch.setattr(writer, "MEMBER_CUT", 16)
    monkeypatch.setattr(chunks, "BULK_RUN", 16)
    monkeypatch.setattr(chunks, "PARALLEL_MIN", 10**9)
    # Writer threads hold bounded queues whose fill depends on timing: measure the rest inline...
    monkeypatch.setattr(writer, "WRITE_THREADS", 0)
    peaks, first_peaks = {}, {}
    for n in (500, 2000):
        catalog = clones(root, n)
        first = tmp_path / f"first-{n}"
        first_peaks[n] = traced_peak(catalog, config, first)
        peaks[n] = traced_peak(catalog, replace(config, previous=str(first)), tmp_path / f"second-{n}")
    # ...then check the queues add no more than their bound (256 files of ~4 KB, 4 chunks of 64 KB a stream).
    monkeypatch.setattr(writer, "WRITE_THREADS", 2)
    threaded = traced_peak(catalog, replace(config, previous=str(tmp_path / "first-2000")), tmp_path / "threaded")
    assert threaded < peaks[2000] + 4 * 2**20, (threaded, peaks)
    # Worker processes hand back at most two chunks' results each at a time.
    monkeypatch.setattr(chunks, "PARALLEL_MIN", 0)
    parallel = traced_peak(catalog, replace(config, previous=str(tmp_path / "first-2000")), tmp_path / "parallel")
    assert parallel < peaks[2000] + 4 * 2**20, (parallel, peaks)
    # A rebuild holds one page and one record at a time: four times the records, about the same peak.
    assert peaks[2000] < peaks[500] * 1.25 + 256 * 1024, peaks
    # A first build also keeps the list of its changes (every record is an addition): a few
    # hundred bytes per record, nothing like the records themselves (~3 KB each as JSON).
    per_record = (first_peaks[2000] - first_peaks[500]) / 1500
    assert per_record < 500, (first_peaks, per_record)
