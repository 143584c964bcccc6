"""Writing the index's files: gzipped JSON named by content, each kept from the last build when unchanged.

Every file has a content id: a hash of its JSON text before gzip. The index's version (meta.json
"version", which the browser adds to each URL it fetches, `?v=`) hashes the sorted (path, id)
list, so it depends on what the files say, not on which build or process wrote them.

With the build cache (`OutputReuse`), a file's signature is the content id hashed with the
build's global key: a file whose text is what the last build wrote is kept where it is in the
site, and neither gzipped nor written. `keep_known` keeps a group of files whose ids are known
without making their text (the ids stored with a term's inputs in the result store, say).
"""
from __future__ import annotations

import gzip
import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from ..cache import digest
from ..feeds.writer import write_bytes_file
from ..jsontext import canonical
from ..outputs import made

if TYPE_CHECKING:
    from ..outputs import OutputReuse

GZIP_LEVEL = 6  # level 9 saves ~1% here and costs three times the time
GZIP_FAST = 4  # deeper tiers: 7% larger than level 6, a third of the time

Outputs = list[tuple[str, Any]]  # (site-relative path, the kept file's entry or the written file's signature)


to_json = canonical  # obj as JSON the way the index spells it (sorted keys, no spaces, UTF-8 kept): jsontext.py


class Writer:
    """Writes gzipped JSON files deterministically under `root`, recording each one's content id.

    zlib releases the GIL, so files are compressed and written on a small thread pool. `site_rel`
    is root's path in the site (e.g. "search/index/"), how `reuse` names files.
    """

    def __init__(self, root: Path, threads: int = 2, reuse: OutputReuse | None = None, key: bytes = b"",
                 site_rel: str = "") -> None:
        self.root = root
        self.reuse, self.key, self.site_rel = reuse, key, site_rel
        self.ids: list[tuple[str, bytes]] = []
        self.outputs: Outputs = []
        self.written = 0
        self.pool = ThreadPoolExecutor(threads)
        self.pending: deque[tuple[int, Future]] = deque()  # (the file's place in outputs, or -1; its write)
        self.folders: set[str] = set()  # folders already made

    def write(self, rel: str, obj: object, fast: bool = False) -> bytes:
        """Write obj as gzipped JSON at root/rel (`fast`: a cheaper gzip level, for rarely fetched files); its id."""
        return self.write_json(rel, to_json(obj), fast)

    def write_json(self, rel: str, text: str, fast: bool = False) -> bytes:
        """Write text, already JSON as `write` would make it, gzipped at root/rel, unless the site has it; its id."""
        data = text.encode()
        fid = digest(data)
        self.ids.append((rel, fid))
        place = -1
        if self.reuse is not None:
            signature = digest(self.key, fid)
            entry = self.reuse.keep(self.site_rel + rel, signature)
            place = len(self.outputs)
            self.outputs.append((self.site_rel + rel, entry if entry is not None else signature))
            if entry is not None:
                return fid
        self.written += 1
        self.pending.append((place, self.pool.submit(self._store, rel, data, GZIP_FAST if fast else GZIP_LEVEL)))
        while len(self.pending) > 64:
            self._settle()
        return fid

    def keep_known(self, files: Iterable[tuple[str, bytes]]) -> bool:
        """Keep files whose content ids are known, if the site has every one of them unchanged (else keep none)."""
        if self.reuse is None:
            return False
        kept: Outputs = []
        files = list(files)
        for rel, fid in files:
            entry = self.reuse.keep(self.site_rel + rel, digest(self.key, fid))
            if entry is None:
                return False
            kept.append((self.site_rel + rel, entry))
        self.ids += files
        self.outputs += kept
        return True

    def _store(self, rel: str, data: bytes, level: int) -> bytes:
        blob = gzip.compress(data, compresslevel=level, mtime=0)
        folder, _, name = rel.rpartition("/")
        if folder not in self.folders:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)
        return write_bytes_file(os.path.join(self.root, rel), blob)

    def _settle(self) -> None:
        """Wait for the oldest write; its file's entry gets the stamp the write took (outputs.made)."""
        place, future = self.pending.popleft()
        stamped = future.result()
        if place >= 0:
            rel, signature = self.outputs[place]
            self.outputs[place] = (rel, made(signature, stamped))

    def close(self) -> None:
        """Wait for every file and stop the threads."""
        while self.pending:
            self._settle()
        self.pool.shutdown()


def version(ids: Iterable[tuple[str, bytes]]) -> str:
    """A short hash of a set of files, from their paths and content ids."""
    return digest(*(rel.encode() + b"\0" + fid for rel, fid in sorted(ids))).hex()[:16]
