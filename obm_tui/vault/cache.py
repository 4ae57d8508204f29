"""The index cache, `.obm/cache/index.bin`: derived, git-ignored, safe to delete.

It holds every record row with the stat it was read at. A warm start stats every file and
re-parses only those whose (mtime_ns, size, inode) changed. A cache that is missing, from another
version, or damaged (its CRC-32 does not match) is ignored (a cold load rebuilds it).

A row holds the problems the reader found, so a cache is only as good as the rules that made
it: its header names the reader (`READER`: the app version and a digest of the sources that
decide what a row holds — the schema, the field checks, the YAML reader), and a cache made by
another reader is ignored, even within one version.

Layout: a 4-byte little-endian header length, the marshalled header (format, reader, row
count, CRC-32 of the body), then the marshalled list of rows. Writing replaces the file by a
rename but does not fsync: a cache lost to a power cut is only rebuilt.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import secrets
import struct
import time
import zlib
from pathlib import Path

from obm_tui import __version__
from obm_tui.vault.loader import Row, gc_paused

CACHE_DIR = ".obm/cache"
CACHE_FILE = f"{CACHE_DIR}/index.bin"
FORMAT = 3  # 3: a row's 8th item, what the loader works out of the body (an invoice's payments)
_TEMP = ".~obm-index.bin."
_PACKAGE = Path(__file__).resolve().parents[1]
# What decides a row's values and problems: a change to any of them makes old caches stale.
_READER_SOURCES = ("model", "vault/frontmatter.py", "vault/safeyaml.py", "vault/yaml_fast.py", "vault/loader.py")
_STALE_TEMP_SECONDS = 600.0


def _reader_stamp() -> str:
    digest = hashlib.blake2b(digest_size=8)
    for source in _READER_SOURCES:
        path = _PACKAGE / source
        for file in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return f"{__version__}+{digest.hexdigest()}"


READER = _reader_stamp()


def read_cache(root: Path) -> dict[str, Row]:
    """Cached rows by path; empty when there is no usable cache."""
    try:
        blob = memoryview((root / CACHE_FILE).read_bytes())
        (size,) = struct.unpack_from("<I", blob)
        version, app_version, count, crc = marshal.loads(blob[4 : 4 + size])
        body = blob[4 + size :]
        if version != FORMAT or app_version != READER or zlib.crc32(body) != crc:
            return {}
        with gc_paused():
            rows = marshal.loads(body)
            by_path = {row[0]: row for row in rows if row.__class__ is tuple and len(row) == 8}
    except (OSError, EOFError, ValueError, TypeError, struct.error):
        return {}
    return by_path if len(by_path) == count == len(rows) else {}


def write_cache(root: Path, rows: list[Row]) -> None:
    """Save rows for the next warm start. Failure to write a cache is never an error."""
    body = marshal.dumps(rows)
    head = marshal.dumps((FORMAT, READER, len(rows), zlib.crc32(body)))
    target = root / CACHE_FILE
    temp = target.with_name(f"{_TEMP}{os.getpid()}.{secrets.token_hex(3)}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(target.parent)
        with open(temp, "wb") as handle:
            handle.write(struct.pack("<I", len(head)))
            handle.write(head)
            handle.write(body)
        os.replace(temp, target)
    except OSError:
        temp.unlink(missing_ok=True)


def _remove_stale_temps(folder: Path) -> None:
    """Temp files of a cache write that was killed (older than ten minutes)."""
    cutoff = time.time() - _STALE_TEMP_SECONDS
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(_TEMP) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                Path(entry.path).unlink(missing_ok=True)
