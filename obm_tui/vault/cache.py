"""The index cache, `.obm/cache/index.bin`: derived, git-ignored, safe to delete.

It holds every record row with the stat it was read at. A warm start stats every file and
re-parses only those whose (mtime_ns, size, inode) changed. A cache that is missing, from another
version, or damaged is ignored (a cold load rebuilds it).
"""

from __future__ import annotations

import marshal
from pathlib import Path

from obm_tui import __version__
from obm_tui.vault.atomic import write_atomic
from obm_tui.vault.loader import Row

CACHE_DIR = ".obm/cache"
CACHE_FILE = f"{CACHE_DIR}/index.bin"
FORMAT = 1


def read_cache(root: Path) -> dict[str, Row]:
    """Cached rows by path; empty when there is no usable cache."""
    try:
        blob = (root / CACHE_FILE).read_bytes()
        version, app_version, rows = marshal.loads(blob)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if version != FORMAT or app_version != __version__:
        return {}
    return {row[0]: row for row in rows}


def write_cache(root: Path, rows: list[Row]) -> None:
    """Save rows for the next warm start. Failure to write a cache is never an error."""
    try:
        write_atomic(root / CACHE_FILE, marshal.dumps((FORMAT, __version__, rows)))
    except OSError:
        pass
