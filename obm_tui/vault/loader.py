"""Reading every record file of a vault into Records: scan the kind folders, parse, validate.

Parsing runs on all cores for big vaults (a process pool; results travel back as marshal bytes,
which is cheaper than pickling). A file that cannot be read still becomes a Record — with its
problems — so nothing is silently dropped.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from obm_tui.model.errors import FormatError, Problem
from obm_tui.model.kinds import KINDS, Kind
from obm_tui.model.records import UNREADABLE, Record, validate
from obm_tui.vault.frontmatter import read_document
from obm_tui.vault.paths import TEMP_PREFIX, inside

PARALLEL_THRESHOLD = 2000
_NAME_RE = re.compile(r"[\x00-\x1f\x7f]")

# A loaded record as plain tuples (marshal-able, for the pool and the cache):
# (path, kind, id, data, problems ((line, reason), ...), digest, (mtime_ns, size, ino))
Row = tuple


@dataclass(frozen=True, slots=True)
class Entry:
    """A record file found by the scan."""

    path: str  # relative, posix
    kind: str
    stat: tuple[int, int, int]
    symlink: bool = False


def scan(root: Path) -> Iterator[Entry]:
    """Every `*.md` file directly inside a kind folder, with its stat (one stat call a file)."""
    for kind in KINDS.values():
        folder = root / kind.folder
        try:
            entries = os.scandir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            for entry in entries:
                name = entry.name
                if not name.endswith(".md") or name.startswith((".", TEMP_PREFIX)):
                    continue
                yield _entry(kind, entry)


def _entry(kind: Kind, entry: os.DirEntry[str]) -> Entry:
    rel = f"{kind.folder}/{entry.name}"
    try:
        st = entry.stat()
        return Entry(rel, kind.name, (st.st_mtime_ns, st.st_size, st.st_ino), entry.is_symlink())
    except OSError:  # a dangling symlink or a symlink loop
        return Entry(rel, kind.name, (0, 0, 0), True)


def load_rows(root: Path, entries: list[Entry], workers: int | None = None) -> list[Row]:
    """Parse the given files; in parallel when there are many of them."""
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(entries) < PARALLEL_THRESHOLD:
        return [load_row(root, entry) for entry in entries]
    chunks = [entries[i::workers] for i in range(workers)]
    rows: list[Row] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for blob in pool.map(_load_chunk, [root] * workers, chunks):
            rows.extend(marshal.loads(blob))
    return rows


def _load_chunk(root: Path, entries: list[Entry]) -> bytes:
    return marshal.dumps([load_row(root, entry) for entry in entries])


def load_row(root: Path, entry: Entry) -> Row:
    """Read and check one file. Never raises for bad content: problems go into the row."""
    kind = KINDS[entry.kind]
    stem = entry.path.rsplit("/", 1)[1][:-3]
    refusal = _refuse_path(root, entry)
    if refusal:
        return (entry.path, kind.name, stem, {}, ((0, UNREADABLE + refusal),), b"", entry.stat)
    try:
        raw = (root / entry.path).read_bytes()
    except OSError as exc:
        return (entry.path, kind.name, stem, {}, ((0, f"{UNREADABLE}cannot read: {exc.strerror}"),), b"", entry.stat)
    digest = hashlib.blake2b(raw, digest_size=16).digest()
    try:
        doc = read_document(raw)
    except FormatError as exc:
        return (entry.path, kind.name, stem, {}, ((exc.line, UNREADABLE + exc.reason),), digest, entry.stat)
    data = doc.data
    problems = tuple(
        (_line_of(raw, doc.fm_start, doc.fm_end, field), reason) for field, reason in validate(kind, data, stem)
    )
    record_id = data.get("id") if isinstance(data.get("id"), str) and data.get("id") else stem
    return (entry.path, kind.name, record_id, data, problems, digest, entry.stat)


def _refuse_path(root: Path, entry: Entry) -> str | None:
    name = entry.path.rsplit("/", 1)[1]
    if entry.symlink and not inside(root.resolve(), root / entry.path):
        return "a symlink that leads out of the vault (or loops); not read"
    if _NAME_RE.search(name):
        return "the file name contains control characters; rename it"
    if unicodedata.normalize("NFC", name) != name:
        return "the file name is not NFC-normalised Unicode; rename it"
    return None


def _line_of(raw: bytes, start: int, end: int, field: str | None) -> int:
    """1-based line of `field:` inside the front matter (the first front-matter line if unknown)."""
    fm_line = raw.count(b"\n", 0, start) + 1
    if field:
        match = re.search(rb"^" + re.escape(field.encode()) + rb"[ \t]*:", raw[start:end], re.M)
        if match:
            return fm_line + raw.count(b"\n", start, start + match.start())
    return fm_line


def to_record(row: Row) -> Record:
    path, kind, record_id, data, problems, digest, stat = row
    found = tuple(Problem(path, line, reason) for line, reason in problems)
    return Record(kind, record_id, path, data, found, digest, tuple(stat))


def to_row(record: Record) -> Row:
    problems = tuple((p.line, p.reason) for p in record.problems)
    return (record.path, record.kind, record.id, dict(record.data), problems, record.digest, record.stat)


def cross_problems(records: Iterable[Record]) -> dict[str, list[Problem]]:
    """Problems between files: duplicate ids within a kind, names differing only by case."""
    found: dict[str, list[Problem]] = {}
    seen_ids: dict[tuple[str, str], str] = {}
    seen_names: dict[str, str] = {}
    for record in sorted(records, key=lambda r: r.path):
        key = (record.kind, record.id.casefold())
        if key in seen_ids:
            found.setdefault(record.path, []).append(
                Problem(record.path, 0, f"id {record.id!r} is also used by {seen_ids[key]}")
            )
        else:
            seen_ids[key] = record.path
        folded = record.path.casefold()
        if folded in seen_names and seen_names[folded] != record.path:
            found.setdefault(record.path, []).append(
                Problem(record.path, 0, f"differs only by letter case from {seen_names[folded]}")
            )
        seen_names.setdefault(folded, record.path)
    return found
