"""Output reuse: which files of the last site an incremental build may keep, and keeping them.

See cache.py for how signatures are made. The manifest (`outputs.pickle` in the cache folder)
records, for each file of the site in place, the signature it was made from and its stat.
"""
from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .cache import FORMAT


# --- reusing the last build's output ------------------------------------------------------------

@dataclass(frozen=True)
class Output:
    """One file of the last build: the signature it was made from, and its stat when written."""

    signature: bytes
    size: int
    mtime_ns: int
    inode: int


class OutputReuse:
    """Hard-links unchanged files of the last site into the new build folder.

    `link(rel, signature)` links `<site>/<rel>` to `<staging>/<rel>` when the last build made it
    from the same signature and the file is untouched since. The caller (perhaps a worker process)
    collects (rel, what link returned or the signature of a file it wrote) and hands the list to
    `merge`; `save()` stores the new manifest after the swap, when the files are in place.
    """

    def __init__(self, folder: Path, site_dir: Path, staging: Path, clean: bool = False):
        self.file = folder / "outputs.pickle"
        self.site_dir = site_dir.resolve()
        self.staging = staging
        self.old: dict[str, Output] = {} if clean else self._load()
        self.new: dict[str, Output | bytes] = {}
        self.linked = 0
        self._folders: set[str] = set()  # folders of the build folder known to exist

    def _load(self) -> dict[str, Output]:
        try:
            with open(self.file, "rb") as fh:
                site, format_, outputs = pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
            return {}
        if site != str(self.site_dir) or format_ != FORMAT or not self.site_dir.is_dir():
            return {}
        return outputs

    def link(self, rel: str, signature: bytes) -> Output | None:
        """Link the last build's `rel` into the build folder if it was made from `signature` (its entry, else None)."""
        old = self.old.get(rel)
        if old is None or old.signature != signature:
            return None
        source = os.path.join(self.site_dir, rel)
        try:
            st = os.stat(source)
        except OSError:
            return None
        if (st.st_size, st.st_mtime_ns, st.st_ino) != (old.size, old.mtime_ns, old.inode):
            return None  # changed since that build: make it again
        target = os.path.join(self.staging, rel)
        folder = os.path.dirname(target)
        try:
            if folder not in self._folders:  # one mkdir per folder, not a failed link and a makedirs per file
                os.makedirs(folder, exist_ok=True)
                self._folders.add(folder)
            os.link(source, target)
        except OSError:
            return None  # another file system, or links not allowed: make it again
        return old

    def link_all(self, rels: list[str], signature: bytes) -> list[tuple[str, Output]] | None:
        """Link every one of `rels` made from `signature`, or none of them (None): a unit reused whole or made whole."""
        done: list[tuple[str, Output]] = []
        for rel in rels:
            entry = self.link(rel, signature)
            if entry is None:
                for linked, _ in done:  # undo, so nothing written later goes through a link into the last site
                    os.unlink(os.path.join(self.staging, linked))
                return None
            done.append((rel, entry))
        return done

    def merge(self, entries: Iterable[tuple[str, Output | bytes]]) -> None:
        """Take the entries a worker process recorded."""
        for rel, entry in entries:
            if isinstance(entry, Output):
                self.linked += 1
            self.new[rel] = entry

    def save(self) -> None:
        """Store the manifest of the site now in place (stat each file made afresh)."""
        outputs: dict[str, Output] = {}
        for rel, entry in self.new.items():
            if isinstance(entry, Output):
                outputs[rel] = entry
                continue
            try:
                st = os.stat(os.path.join(self.site_dir, rel))
            except OSError:
                continue
            outputs[rel] = Output(entry, st.st_size, st.st_mtime_ns, st.st_ino)
        tmp = self.file.with_suffix(f".tmp-{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump((str(self.site_dir), FORMAT, outputs), fh, protocol=5)
        os.replace(tmp, self.file)
