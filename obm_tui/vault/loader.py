"""Reading every record file of a vault into Records: scan the kind folders, parse, validate.

Parsing runs on all cores for big vaults (a process pool; results travel back as marshal bytes,
which is cheaper than pickling). A file that cannot be read still becomes a Record — with its
problems — so nothing is silently dropped.

Speed and memory (docs/performance.md): field names are interned and equal values within one
load are shared (one string object for every `status: open`), which also lets marshal write
each of them once; the cyclic garbage collector is paused while a load builds its objects
(`gc_paused`), since it would otherwise re-traverse the growing index again and again.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from operator import attrgetter
from pathlib import Path
from stat import S_ISREG
from typing import Any, NamedTuple

from obm_tui.model import payments
from obm_tui.model.errors import FormatError, Problem
from obm_tui.model.kinds import KINDS, Kind
from obm_tui.model.payments import KINDS_WITH_PAYMENTS
from obm_tui.model.records import UNREADABLE, Record, validate
from obm_tui.vault.frontmatter import Document, read_document
from obm_tui.vault.frontmatter_probe import edit_refusal
from obm_tui.vault.paths import TEMP_PREFIX, inside

PARALLEL_THRESHOLD = 2000
CHUNKS_PER_WORKER = 4  # smaller chunks: the parent unpacks one while the workers parse the next
_NAME_RE = re.compile(r"[\x00-\x1f\x7f]")
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_SHARE_MAX = 64  # values longer than this are rarely equal between records: not worth a lookup

# A loaded record as plain tuples (marshal-able, for the pool and the cache):
# (path, kind, id, data, problems ((line, reason), ...), digest, (mtime_ns, size, ino), extra or None)
Row = tuple[Any, ...]


class Entry(NamedTuple):
    """A record file found by the scan."""

    path: str  # relative, posix
    kind: str
    stat: tuple[int, int, int]
    symlink: bool = False


FREEZE_AFTER = 200_000  # objects made by a load above which they are frozen (gc.freeze) when it ends


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a load builds many objects (none form cycles)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_count()[0] > FREEZE_AFTER:  # a big load: its objects are long-lived
                gc.freeze()  # else the first collection walks them all (0.1 s at 100k), then again in gen 1
            gc.enable()


def scan(root: Path) -> Iterator[Entry]:
    """Every `*.md` file directly inside a kind folder, with its stat (one stat call a file)."""
    for kind in KINDS.values():
        try:
            entries = os.scandir(root / kind.folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            yield from _scan_folder(kind, entries)


NO_STAT = (0, 0, 0)  # the stat of a file that could not be stat'ed (or was not, yet)


def _scan_folder(kind: Kind, entries: Iterator[os.DirEntry[str]]) -> Iterator[Entry]:
    prefix, name_of_kind = kind.folder + "/", kind.name
    for entry in entries:
        name = entry.name
        if name[-3:] != ".md" or name[0] == "." or name.startswith(TEMP_PREFIX):
            continue
        try:
            st = entry.stat()
        except OSError:  # a dangling symlink or a symlink loop
            yield Entry(prefix + name, name_of_kind, NO_STAT, True)
            continue
        yield Entry(prefix + name, name_of_kind, (st.st_mtime_ns, st.st_size, st.st_ino), entry.is_symlink())


class Scanned(NamedTuple):
    """A scan compared with the cache: rows still current, files to parse, stray temp files."""

    rows: list[Row]
    fresh: list[Entry]
    strays: list[str]  # relative paths of `.~obm-*` temp files (left by a killed save, or one under way)


def scan_with_cache(root: Path, cached: dict[str, Row]) -> Scanned:
    """One pass over the kind folders: stat each record file and keep its cached row when the
    stat is unchanged (no Entry is made for those), else list it to be parsed again.

    With no cache nothing is stat'ed here: every file is parsed, and `load_row` takes the stat
    of the file it opened (in the workers, in parallel).
    """
    found = Scanned([], [], [])
    for kind in KINDS.values():
        try:
            entries = os.scandir(root / kind.folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            if cached:
                _scan_folder_cached(kind, entries, cached, found)
            else:
                _list_folder(kind, entries, found)
    return found


def _list_folder(kind: Kind, entries: Iterator[os.DirEntry[str]], found: Scanned) -> None:
    prefix, name_of_kind, add = kind.folder + "/", kind.name, found.fresh.append
    for entry in entries:
        name = entry.name
        if name[-3:] != ".md" or name[0] == ".":
            if name.startswith(TEMP_PREFIX):
                found.strays.append(prefix + name)
            continue
        add(Entry(prefix + name, name_of_kind, NO_STAT, entry.is_symlink()))


def _scan_folder_cached(kind: Kind, entries: Iterator[os.DirEntry[str]], cached: dict[str, Row],
                        found: Scanned) -> None:
    prefix, get, keep = kind.folder + "/", cached.get, found.rows.append
    for entry in entries:
        name = entry.name
        if name[-3:] != ".md" or name[0] == ".":
            if name.startswith(TEMP_PREFIX):
                found.strays.append(prefix + name)
            continue
        try:
            st = entry.stat()
        except OSError:  # a dangling symlink or a symlink loop
            found.fresh.append(Entry(prefix + name, kind.name, NO_STAT, True))
            continue
        stat = (st.st_mtime_ns, st.st_size, st.st_ino)
        row = get(prefix + name)
        if row is not None and row[6] == stat:
            keep(row)
        else:
            found.fresh.append(Entry(prefix + name, kind.name, stat, entry.is_symlink()))


def load_rows(root: Path, entries: list[Entry], workers: int | None = None) -> list[Row]:
    """Parse the given files; in parallel when there are many of them."""
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(entries) < PARALLEL_THRESHOLD:
        with gc_paused():
            return _load_list(root, entries)
    from concurrent.futures import (
        ProcessPoolExecutor,  # only big loads need it (~10 ms to import)
    )

    count = workers * CHUNKS_PER_WORKER
    chunks = [entries[i::count] for i in range(count)]
    rows: list[Row] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for blob in pool.map(_load_chunk, [root] * count, chunks):
            with gc_paused():
                rows += marshal.loads(blob)
    return rows


def _load_list(root: Path, entries: list[Entry]) -> list[Row]:
    shared: dict[Any, Any] = {}
    return [load_row(root, entry, shared) for entry in entries]


# In a pool worker: equal values are shared across all the chunks the worker parses (the
# worker ends with the load, and the dict with it).
_WORKER_SHARED: dict[Any, Any] = {}


def _load_chunk(root: Path, entries: list[Entry]) -> bytes:
    with gc_paused():
        return marshal.dumps([load_row(root, entry, _WORKER_SHARED) for entry in entries])


def load_row(root: Path, entry: Entry, shared: dict[Any, Any] | None = None) -> Row:
    """Read and check one file. Never raises for bad content: problems go into the row.

    The row's stat is the opened file's (`entry.stat` only when it cannot be read). Equal short
    values are made one object through `shared` (a dict kept for one load).
    """
    kind = KINDS[entry.kind]
    path = entry.path
    stem = path[path.rindex("/") + 1 : -3]
    refusal = _refuse_path(root, entry)
    if refusal:
        return (path, kind.name, stem, {}, ((0, UNREADABLE + refusal),), b"", entry.stat, None)
    try:
        stat, raw = _read_file(os.path.join(root, path))
    except OSError as exc:
        return (path, kind.name, stem, {}, ((0, f"{UNREADABLE}cannot read: {exc.strerror}"),), b"", entry.stat, None)
    if raw is None:
        return (path, kind.name, stem, {}, ((0, f"{UNREADABLE}not a regular file; not read"),), b"", stat, None)
    digest = hashlib.blake2b(raw, digest_size=16).digest()
    try:
        doc = read_document(raw)
    except FormatError as exc:
        return (path, kind.name, stem, {}, ((exc.line, UNREADABLE + exc.reason),), digest, stat, None)
    except (KeyError, ValueError, AttributeError, TypeError) as exc:  # a reader bug must not stop the load
        reason = f"{UNREADABLE}YAML the reader cannot handle (a tag that does not fit its value?): {exc!r}"
        return (path, kind.name, stem, {}, ((0, reason),), digest, stat, None)
    data = _share_values(doc.data, {} if shared is None else shared)
    found = validate(kind, data, stem)
    refusal = edit_refusal(doc)
    if refusal is not None:  # readable, but the app would refuse to save it: say so before
        found = [*found, (None, refusal)]
    problems = tuple((_line_of(raw, doc.fm_start, doc.fm_end, field), reason)
                     for field, reason in found) if found else ()
    record_id = data.get("id")
    if not isinstance(record_id, str) or not record_id:
        record_id = stem
    if kind.name in KINDS_WITH_PAYMENTS:
        extra, more = _payments(doc, data)
        return (path, kind.name, record_id, data, problems + more, digest, stat, extra)
    return (path, kind.name, record_id, data, problems, digest, stat, None)


def _payments(doc: Document, data: dict[str, Any]) -> tuple[dict[str, Any] | None, tuple[tuple[int, str], ...]]:
    """The payments table of an invoice or a bill, kept with its row in the index (reports sum
    them without reading 30,000 bodies), and its problems at their lines in the file."""
    if b"ayments" not in doc.raw[doc.body_start:]:
        return None, ()
    currency = data.get("currency")
    table = payments.parse(doc.body, currency.strip().upper() if isinstance(currency, str) and currency else None)
    offset = doc.body_line - 1
    more = tuple((offset + p.line, p.reason) for p in table.problems)
    return ({"payments": payments.summary(table)} if table.payments else None), more


def _read_file(path: str) -> tuple[tuple[int, int, int], bytes | None]:
    """The stat and bytes of a file (None for a FIFO, device or folder: opened without blocking, not read)."""
    fd = os.open(path, _READ_FLAGS)
    try:
        st = os.fstat(fd)
        if not S_ISREG(st.st_mode):
            return (st.st_mtime_ns, st.st_size, st.st_ino), None
        chunks = [os.read(fd, st.st_size + 1)]
        while chunks[-1] and sum(map(len, chunks)) > st.st_size:  # it grew while being read
            chunks.append(os.read(fd, 1 << 16))
        return (st.st_mtime_ns, st.st_size, st.st_ino), b"".join(chunks)
    finally:
        os.close(fd)


def _share_values(data: dict[str, Any], shared: dict[Any, Any]) -> dict[str, Any]:
    """The mapping with interned keys and equal short strings (also in lists) made one object."""
    out: dict[str, Any] = {}
    intern, share = sys.intern, shared.setdefault
    for key, value in data.items():
        if value.__class__ is str:
            if len(value) <= _SHARE_MAX:
                value = share(value, value)
        elif value.__class__ is list:
            value = _share_list(value, shared)
        elif value.__class__ is dict:
            value = _share_values(value, shared)
        out[intern(key)] = value
    return out


def _share_list(items: list[Any], shared: dict[Any, Any]) -> list[Any]:
    out = []
    for item in items:
        if item.__class__ is str:
            item = shared.setdefault(item, item) if len(item) <= _SHARE_MAX else item
        elif item.__class__ is dict:
            item = _share_values(item, shared)
        elif item.__class__ is list:
            item = _share_list(item, shared)
        out.append(item)
    return out


def _refuse_path(root: Path, entry: Entry) -> str | None:
    name = entry.path.rsplit("/", 1)[1]
    if entry.symlink and not inside(root.resolve(), root / entry.path):
        return "a symlink that leads out of the vault (or loops); not read"
    if name.isascii():
        return "the file name contains control characters; rename it" if _NAME_RE.search(name) else None
    if _NAME_RE.search(name):
        return "the file name contains control characters; rename it"
    if not unicodedata.is_normalized("NFC", name):
        return "the file name is not NFC-normalised Unicode; rename it"
    return None


def _line_of(raw: bytes, start: int, end: int, field: str | None) -> int:
    """1-based line of `field:` inside the front matter (the first front-matter line if unknown)."""
    fm_line = raw.count(b"\n", 0, start) + 1
    if field:
        match = re.search(rb"^" + re.escape(field.encode()) + rb"[ \t]*:", raw[start:end], re.MULTILINE)
        if match:
            return fm_line + raw.count(b"\n", start, start + match.start())
    return fm_line


def to_record(row: Row) -> Record:
    """The Record of a loaded row."""
    path, kind, record_id, data, problems, digest, stat, extra = row
    found = tuple(Problem(path, line, reason) for line, reason in problems) if problems else ()
    stat = stat if stat.__class__ is tuple else tuple(stat)
    if extra is None:
        return Record(kind, record_id, path, data, found, digest, stat)
    return Record(kind, record_id, path, data, found, digest, stat, extra)


def to_records(rows: Iterable[Row]) -> list[Record]:
    """Records of many rows, with the garbage collector paused while they are made."""
    with gc_paused():
        return [to_record(row) for row in rows]


def to_row(record: Record) -> Row:
    """The row (marshal-able tuple) of a Record, for the cache."""
    problems = tuple((p.line, p.reason) for p in record.problems)
    extra = dict(record.extra) if record.extra else None
    return (record.path, record.kind, record.id, dict(record.data), problems, record.digest, record.stat, extra)


def cross_problems(records: Iterable[Record]) -> dict[str, list[Problem]]:
    """Problems between files: duplicate ids within a kind, names differing only by case.

    The first file in path order keeps the id (or the name); every later one gets the problem.
    Linear: sets find whether anything clashes at all; only clashing groups are sorted.
    """
    records = list(records)
    ids = list(zip(map(_kind, records), map(str.casefold, map(_id, records)), strict=True))
    names = list(map(str.casefold, map(_path, records)))
    if len(set(ids)) == len(ids) and len(set(names)) == len(names):
        return {}
    found: dict[str, list[tuple[int, Problem]]] = {}
    for group in _clashes(ids, records):
        first, *later = sorted(group, key=_path)
        for record in later:
            reason = f"id {record.id!r} is also used by {first.path}"
            found.setdefault(record.path, []).append((0, Problem(record.path, 0, reason)))
    for group in _clashes(names, records):
        first, *later = sorted(group, key=_path)
        for record in later:
            if record.path != first.path:
                reason = f"differs only by letter case from {first.path}"
                found.setdefault(record.path, []).append((1, Problem(record.path, 0, reason)))
    return {path: [p for _, p in sorted(found[path], key=lambda pair: pair[0])] for path in sorted(found)}


def _clashes(keys: list[Any], records: list[Record]) -> list[list[Record]]:
    """Groups of two or more records sharing a key."""
    groups: dict[Any, list[Record]] = {}
    for key, record in zip(keys, records, strict=True):
        groups.setdefault(key, []).append(record)
    return [group for group in groups.values() if len(group) > 1]


_kind, _id, _path = attrgetter("kind"), attrgetter("id"), attrgetter("path")
