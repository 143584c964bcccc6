"""Output reuse: which files of the last site an incremental build keeps, and how the new files go in.

See cache.py for how signatures are made. The manifest (`outputs.pickle` in the cache folder)
records, for each file of the site in place, the signature it was made from and its stat: taken
by the file's writer as it writes it (`made`), so the manifest need not stat the site again.
A file of the site is kept only while its stat is the one recorded; `SiteCheck` stats them all
in a forked process from the start of the next build, beside the checking stage.

A build with a usable manifest writes only the files whose signature changed into its build
folder; every other file stays where it is in the site. When the stages are done, `finish` puts
the new files in:

- a small change (at most `APPLY_MAX` files written or removed, or 2% of the site): each new file
  is renamed over the site's (each rename is atomic, and all of them take milliseconds), then the
  files the build no longer makes are removed. The manifest is deleted first and written again
  last, so a build stopped halfway through leaves no manifest, and the next build makes the whole
  site afresh in a new folder.
- a large change, or no manifest: the unchanged files are hard-linked from the site into the build
  folder, which then replaces the site in one rename (`swap`).

A file a stage writes without a signature (MkDocs' pages and assets, the change feed) is kept by
its bytes: if the site has the same, the build folder's copy is dropped. Every file the build
folder holds is one a stage told of (`merge`, `add_unsigned`, or `add_folder` after MkDocs):
the folder is never walked once the catalog's stages have written into it (at 750,000 records
it holds 3.9 million files); the tests check, after every build they make, that what the folder
holds is what was told.

Either way the site is never half-written by a failed build: until `finish`, nothing in the site
folder is touched.
"""
from __future__ import annotations

import os
import pickle
import struct
from array import array
from itertools import filterfalse
from pathlib import Path
from typing import Callable, Iterable

from .cache import FORMAT

APPLY_MAX = 5000  # files written or removed: up to this many (or 2% of the site) go in place one by one
APPLY_SHARE = 0.02


Kept = int  # a kept file's entry: its position in the last build's manifest


class Manifest:
    """The files of the site in place: for each, the signature it was made from and its stat when written.

    Stored as a few flat values (paths joined, signatures concatenated, stats in an array), so that
    half a million entries load and save in a fraction of a second.
    """

    def __init__(self, rels: list[str] | None = None, signatures: bytes = b"", stats: array | None = None,
                 indexed: bool = True, key: bytes = b"", records: int = 0, related: bytes = b"") -> None:
        self.rels = rels or []
        self.key = key  # the global key (build.global_key) of the build that made the site: b"" when unknown
        self.records = records  # how many credentials that build had
        self.related = related  # the hash of the related.marshal that build wrote (render._save_related): b"" if none
        self.signatures = signatures  # SIGNATURE bytes each, in the order of rels
        self.stats = stats if stats is not None else array("q")  # size, mtime_ns, inode of each
        self.index = {rel: i for i, rel in enumerate(self.rels)} if indexed else {}  # rel -> its place

    def __len__(self) -> int:
        return len(self.rels)

    def __iter__(self):
        return iter(self.rels)

    def signature(self, i: int) -> bytes:
        return self.signatures[i * SIGNATURE:(i + 1) * SIGNATURE]

    def stat(self, i: int) -> tuple[int, int, int]:
        return self.stats[3 * i], self.stats[3 * i + 1], self.stats[3 * i + 2]

    def dump(self, site: str) -> bytes:
        return pickle.dumps((site, FORMAT, "\n".join(self.rels), self.signatures, self.stats.tobytes(), self.key,
                             self.records, self.related), protocol=5)

    @classmethod
    def load(cls, data: bytes, site: str, indexed: bool = True) -> "Manifest":
        """The manifest `dump` made for `site` (empty if made for another, or of another format); `indexed`: with
        its index by path (a walk in order needs none)."""
        made_for, format_, rels, signatures, stats, key, records, *rest = pickle.loads(data)
        related = rest[0] if rest else b""  # a manifest from before related.marshal's hash was stored has none
        if made_for != site or format_ != FORMAT:
            return cls()
        found = array("q")
        found.frombytes(stats)
        listed = rels.split("\n") if rels else []
        if len(signatures) != SIGNATURE * len(listed) or len(found) != 3 * len(listed):
            return cls()
        return cls(listed, signatures, found, indexed, key, records, related)


SIGNATURE = 16  # bytes of a signature (cache.digest); a file with no signature gets 16 zero bytes, never matched
NO_SIGNATURE = bytes(SIGNATURE)
_STAMP = struct.Struct("=qqq")  # size, mtime_ns, inode: a file's stat as the manifest records it (the array's order)
MADE = SIGNATURE + _STAMP.size  # an entry of this many bytes is a signature and the stat of the file written from it


def stamp(st: os.stat_result) -> bytes:
    """A file's stat as the manifest records it, packed; the writer of a file takes it with os.fstat (see `made`)."""
    return _STAMP.pack(st.st_size, st.st_mtime_ns, st.st_ino)


def made(signature: bytes, stamped: bytes) -> bytes:
    """The entry of a file written from `signature`, with its `stamp` taken when it was written.

    The manifest then need not stat the file again at the end of the build: at 750,000 records
    that is 3.9 million stats, most of them of inodes the kernel has let go of by then.
    """
    return signature + stamped


class SiteCheck:
    """Which files of the site in place are untouched since the last build made them: found by a forked
    process from the start of the build, while this one checks the catalog.

    An incremental build keeps most of the site's files, and each must be seen to be untouched (its
    stat as the manifest recorded it). At 100,000 records that is half a million stats, 2-4 s
    in the build process; done beside the checking stage, on the other core, they cost the build
    none of its time. The check is as of the start of the build (a file changed during the
    build is found by the next one).
    """

    def __init__(self, folder: Path, site_dir: Path) -> None:
        from .processes import Background

        self.data = b""
        self.job: Background | None = None
        site = site_dir.resolve()
        try:
            if site.is_dir():
                self.data = (folder / "outputs.pickle").read_bytes()
        except OSError:
            pass
        if self.data:
            self.job = Background(lambda: _untouched(self.data, str(site)))

    def result(self) -> tuple[bytes, bytes | None]:
        """(the manifest's bytes as read at the start, one byte per file of it: 1 if untouched; None if not found).

        Given once: the bytes are not kept here (at 750,000 records they are hundreds of megabytes).
        """
        found = self.job.result() if self.job is not None else None
        self.job = None
        data, self.data = self.data, b""
        return data, found

    def close(self) -> None:
        """Stop the check if it still runs (the build failed or was stopped before it needed the answer)."""
        if self.job is not None:
            self.job.close()
            self.job = None


def _as_recorded(st: os.stat_result, stats: array, i: int) -> bool:
    """Whether `st` is the stat the manifest's `stats` record for its file `i` (size, mtime, inode)."""
    return st.st_size == stats[3 * i] and st.st_mtime_ns == stats[3 * i + 1] and st.st_ino == stats[3 * i + 2]


def _untouched(data: bytes, site: str) -> bytes:
    """`_stats_match` of the manifest in `data` (nothing, if it cannot be read: the build process finds it damaged too)."""
    try:
        manifest = Manifest.load(data, site, indexed=False)
    except (EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
        return b""
    return _stats_match(manifest, site)


def _stats_match(manifest: Manifest, site: str) -> bytes:
    """One byte per file of `manifest`: 1 when the site's file has the stat the manifest recorded for it."""
    found = bytearray(len(manifest))
    stats = manifest.stats
    folder = os.open(site, os.O_RDONLY)
    try:
        for i, rel in enumerate(manifest.rels):
            try:
                st = os.stat(rel, dir_fd=folder)
            except OSError:
                continue
            if _as_recorded(st, stats, i):
                found[i] = 1
    finally:
        os.close(folder)
    return bytes(found)


class OutputReuse:
    """Keeps the unchanged files of the last site; tracks every file of the new one.

    `keep(rel, signature)` answers whether the site's `rel` was made from `signature` and is
    untouched since (its entry, a small int, else None: the caller writes the file into the build
    folder). The caller (perhaps a worker process) collects (rel, what keep returned, or the
    signature of the file it wrote) and hands the list to `merge`. Files written without a
    signature are told by `add_unsigned` (or `add_folder`), and kept by `finish` when their bytes
    are the site's. `save()` stores the new manifest.
    """

    def __init__(self, folder: Path, site_dir: Path, staging: Path, clean: bool = False, check: SiteCheck | None = None):
        self.file = folder / "outputs.pickle"
        self.site_dir = site_dir.resolve()
        self.staging = staging
        self.untouched: bytes | None = None  # from `check`: one byte a file of the manifest, 1 if untouched
        if clean:
            self.old = Manifest()
        elif check is not None:
            data, self.untouched = check.result()
            self.old = self._load(data)
            if self.untouched is not None and len(self.untouched) != len(self.old):
                self.untouched = None
        else:
            self.old = self._load()
        self.new: dict[str, Kept | bytes | None] = {}
        self.key = b""  # this build's global key, stored with the manifest (set by the catalog's stages)
        self.records = 0  # this build's number of credentials, stored with the manifest (set likewise)
        self.related = b""  # the hash of the related.marshal the render stage wrote, stored with the manifest
        self.kept = 0
        self.in_place = False  # how finish put the files in (for the summary and the tests)

    def _load(self, data: bytes | None = None) -> Manifest:
        """The manifest (read from its file unless `data` is given); empty if there is none or it is damaged."""
        if not self.site_dir.is_dir():
            return Manifest()
        try:
            if data is None:
                with open(self.file, "rb") as fh:
                    data = fh.read()
            return Manifest.load(data, str(self.site_dir)) if data else Manifest()
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
            return Manifest()

    def keep(self, rel: str, signature: bytes) -> Kept | None:
        """The last build's entry for `rel` if it was made from `signature` and is untouched since, else None."""
        old = self.old
        i = old.index.get(rel)
        if len(signature) != SIGNATURE:
            signature = _fixed(signature)
        if i is None or old.signatures[i * SIGNATURE:(i + 1) * SIGNATURE] != signature:
            return None
        return i if self._untouched(i, rel) else None  # changed since that build: make it again

    def keep_as_made(self, rel: str) -> Kept | None:
        """The last build's entry for `rel` if untouched since, whatever it was made from: for a file the caller knows
        was made from what it would be made from now (render._plan_credentials)."""
        i = self.old.index.get(rel)
        signature = self.old.signature(i) if i is not None else NO_SIGNATURE
        return None if signature == NO_SIGNATURE else self.keep(rel, signature)

    def keep_each_as_made(self, rels: list[str]) -> list[Kept | None]:
        """`keep_as_made` of each of `rels`, in one pass (a credential page each, at every build: render._plan_credentials)."""
        if self.untouched is None:  # no SiteCheck: `keep` stats each file
            return [self.keep_as_made(rel) for rel in rels]
        signatures, untouched = self.old.signatures, self.untouched
        return [i if i is not None and untouched[i] and signatures[i * SIGNATURE:(i + 1) * SIGNATURE] != NO_SIGNATURE
                else None for i in map(self.old.index.get, rels)]

    def untouched_since(self, rel: str) -> bool:
        """Whether the site's `rel` is the file the last build left there (in its manifest, and untouched since)."""
        i = self.old.index.get(rel)
        return i is not None and self._untouched(i, rel)

    def _untouched(self, i: int, rel: str) -> bool:
        """Whether the site's `rel`, entry `i` of the last manifest, is as that build recorded it (SiteCheck's answer,
        else a stat)."""
        if self.untouched is not None:
            return bool(self.untouched[i])
        try:
            st = os.stat(os.path.join(self.site_dir, rel))
        except OSError:
            return False
        return _as_recorded(st, self.old.stats, i)

    def keep_all(self, rels: list[str], signature: bytes) -> list[tuple[str, Kept]] | None:
        """Keep every one of `rels` made from `signature`, or none of them (None): a unit kept whole or made whole."""
        if self.untouched is None:  # no SiteCheck: `keep` stats each file
            done: list[tuple[str, Kept]] = []
            for rel in rels:
                entry = self.keep(rel, signature)
                if entry is None:
                    return None
                done.append((rel, entry))
            return done
        # `keep` written out for its common case (called for every file of every credential of the feeds stage)
        if len(signature) != SIGNATURE:
            signature = _fixed(signature)
        index, signatures, untouched = self.old.index, self.old.signatures, self.untouched
        places = [index.get(rel) for rel in rels]
        for i in places:
            if i is None or not untouched[i] or signatures[i * SIGNATURE:(i + 1) * SIGNATURE] != signature:
                return None
        return list(zip(rels, places))  # type: ignore[arg-type]

    def keep_signed(self, rel: str, signature: bytes) -> bool:
        """`keep` and `merge` in one, for a file this process decides on: True when the site's is kept, else
        False, and `rel` is recorded as made from `signature` (the caller writes it)."""
        entry = self.keep(rel, signature)
        self.merge([(rel, entry if entry is not None else signature)])
        return entry is not None

    def keep_text(self, rel: str, text: str, key: bytes = b"") -> bool:
        """Keep `rel` if the last build wrote the same text (True), else record it as written now (False)."""
        from .cache import digest

        return self.keep_signed(rel, digest(key, text))

    def merge(self, entries: Iterable[tuple[str, Kept | bytes | None]]) -> None:
        """Take the entries a stage (or a worker process) recorded.

        In bulk (half a million entries at 100,000 records, nearly all kept after a small change):
        the kept ones are counted, and only those an earlier step told of are looked at one by one.
        """
        entries = entries if isinstance(entries, list) else list(entries)
        kept = [rel for rel, entry in entries if type(entry) is int]
        self.kept += len(kept)
        new = self.new
        for rel in new.keys() & kept:
            if type(new[rel]) is not int:
                # an earlier step wrote it (MkDocs' own sitemap.xml, say) and a later one keeps the site's
                _unlink(os.path.join(self.staging, rel))
        new.update(entries)

    def adopt(self, entries: list[tuple[str, Kept | bytes | None]], kept: int) -> None:
        """Take the entries another process's copy of this object was told (build.Beside), and its count of kept files.

        That process worked on files no stage of this one tells of, so its entries are taken as
        they are: what `merge` did there (a kept file's copy removed from the build folder) is done.
        """
        for rel, entry in entries:
            self.new[rel] = entry
        self.kept += kept

    def forget_kept(self, rel: str) -> None:
        """`rel` was kept but is then written after all (a file another stage writes into)."""
        if type(self.new.get(rel)) is int:
            self.kept -= 1
            self.new[rel] = None

    # --- putting the new files in -------------------------------------------------------------

    def add_unsigned(self, rels: Iterable[str]) -> None:
        """Files written into the build folder without a signature: each is kept by its bytes, or not, at the end."""
        for rel in rels:
            entry = self.new.get(rel, b"")
            if type(entry) is int:  # kept, and yet written again by a later stage
                self.forget_kept(rel)
            elif entry == b"":  # not told of before
                self.new[rel] = None
            elif entry is not None and len(entry) == MADE:  # written again since its stamp was taken
                self.new[rel] = entry[:SIGNATURE]

    def add_folder(self) -> None:
        """Every file the build folder holds now, as `add_unsigned`: what MkDocs wrote, before the catalog's stages."""
        self.add_unsigned(_files(str(self.staging)))

    def written(self) -> list[str]:
        """Every file in the build folder (site-relative): each one told of and not kept from the site."""
        return [rel for rel, entry in self.new.items() if type(entry) is not int]

    def finish(self, swap: Callable[[Path, Path], None], last: tuple[str, ...] = ()) -> None:
        """Put the build folder's files into the site: in place when few changed, else by `swap` of whole folders.

        In place, the files of `last` go in after all others, in that order (the change feed's
        state, which the next build compares with, so a build stopped halfway leaves it as it was).
        """
        self._settle_by_content()
        rank = {rel: i for i, rel in enumerate(last, 1)}
        written = sorted(self.written(), key=lambda rel: (rank.get(rel, 0), rel))
        stale = self._stale()
        changes = len(written) + len(stale)
        if self.old and changes <= max(APPLY_MAX, APPLY_SHARE * len(self.new)):
            self._apply(written, stale)
            self.in_place = True
            return
        for rel, entry in self.new.items():
            if type(entry) is int:
                _link(os.path.join(self.site_dir, rel), os.path.join(self.staging, rel))
        swap(self.staging, self.site_dir)

    def _settle_by_content(self) -> None:
        """Files written without a signature (MkDocs' pages and assets, the change feed): keep those the site has with the same bytes.

        Each gets the hash of its bytes as signature; one the site already has is removed from the
        build folder and kept.
        """
        from .cache import digest

        for rel in [rel for rel, entry in self.new.items() if entry is None]:
            path = os.path.join(self.staging, rel)
            with open(path, "rb") as fh:
                signature = digest(b"content", fh.read())
            entry = self.keep(rel, signature)
            self.new[rel] = signature
            if entry is not None:
                self.merge([(rel, entry)])  # removes the build folder's copy

    def _apply(self, written: list[str], stale: list[str]) -> None:
        """Rename each new file over the site's and remove the files no longer made; then drop the build folder."""
        self.file.unlink(missing_ok=True)  # a build stopped from here on leaves no manifest to trust
        folders: set[str] = set()
        for rel in written:
            target = os.path.join(self.site_dir, rel)
            folder = os.path.dirname(target)
            if folder not in folders:
                os.makedirs(folder, exist_ok=True)
                folders.add(folder)
            os.replace(os.path.join(self.staging, rel), target)
        for rel in stale:
            path = os.path.join(self.site_dir, rel)
            _unlink(path)
            _prune(os.path.dirname(path), str(self.site_dir))
        for folder, _, _ in sorted(os.walk(self.staging), key=lambda f: -len(f[0])):
            os.rmdir(folder)

    def _stale(self) -> list[str]:
        """The files of the last site this build does not make, sorted."""
        return sorted(filterfalse(self.new.__contains__, self.old.rels))

    def page_paths(self) -> list[str]:
        """Site-relative URL paths of every HTML page the build made or kept ('' for the home page)."""
        return sorted(rel[: -len("index.html")] if rel.endswith("index.html") else rel
                      for rel in self.new if rel.endswith(".html"))

    def save(self) -> None:
        """Store the manifest of the site now in place (stat each file made afresh whose writer did not: see `made`).

        The last manifest, patched: a kept file's signature and stat stay where they are, a file
        made again gets its new ones there, a new file is added at the end, and the files the site
        no longer has are cut out (a slice copied between each two). A small change so touches a
        few entries of half a million, not each one.
        """
        old = self.old
        rels = list(old.rels)
        signatures = bytearray(old.signatures)
        stats = array("q", old.stats)
        cut = {old.index[rel] for rel in self._stale()}
        for rel, entry in self.new.items():
            if type(entry) is int:
                continue
            recorded = self._recorded(rel, entry)
            i = old.index.get(rel)
            if recorded is None:  # gone since it was written: not in the manifest
                if i is not None:
                    cut.add(i)
                continue
            signature, stamped = recorded
            if i is None:
                rels.append(rel)
                signatures += signature
                stats.frombytes(stamped)
            else:
                signatures[i * SIGNATURE:(i + 1) * SIGNATURE] = signature
                stats[3 * i:3 * i + 3] = array("q", stamped)
        if cut:
            runs = _between(sorted(cut), len(rels))
            rels = [rel for start, stop in runs for rel in rels[start:stop]]
            signatures = bytearray(b"".join(signatures[start * SIGNATURE:stop * SIGNATURE] for start, stop in runs))
            kept = array("q")
            for start, stop in runs:
                kept += stats[3 * start:3 * stop]
            stats = kept
        tmp = self.file.with_suffix(f".tmp-{os.getpid()}")
        with open(tmp, "wb") as fh:
            manifest = Manifest(rels, bytes(signatures), stats, indexed=False, key=self.key, records=self.records,
                                related=self.related)
            fh.write(manifest.dump(str(self.site_dir)))
        os.replace(tmp, self.file)

    def _recorded(self, rel: str, entry: bytes | None) -> tuple[bytes, bytes] | None:
        """(signature, packed stat) the manifest records for a file made by this build; None if it is gone."""
        if entry is not None and len(entry) == MADE:
            return entry[:SIGNATURE], entry[SIGNATURE:]
        try:
            st = os.stat(os.path.join(self.site_dir, rel))
        except OSError:
            return None
        return NO_SIGNATURE if entry is None else entry if len(entry) == SIGNATURE else _fixed(entry), stamp(st)


def _between(cut: list[int], count: int) -> list[tuple[int, int]]:
    """The runs [start, stop) of range(count) between the sorted positions `cut`."""
    runs, start = [], 0
    for i in cut:
        if i > start:
            runs.append((start, i))
        start = i + 1
    if start < count:
        runs.append((start, count))
    return runs


def _fixed(signature: bytes) -> bytes:
    """A signature of another length, brought to SIGNATURE bytes."""
    from .cache import digest

    return digest(b"signature", signature)


def _files(root: str) -> list[str]:
    """Every file under `root`, as '/'-separated paths relative to it."""
    found = []
    cut = len(root) + 1
    for folder, _, files in os.walk(root):
        for name in files:
            found.append(os.path.join(folder, name)[cut:].replace(os.sep, "/"))
    return found


def _link(source: str, target: str) -> None:
    """Hard-link `source` to `target` (a copy where links are not allowed), making folders as needed."""
    import shutil

    try:
        os.link(source, target)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _prune(folder: str, root: str) -> None:
    """Remove `folder` and its parents up to `root` while they are empty."""
    while folder != root and folder.startswith(root):
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = os.path.dirname(folder)
