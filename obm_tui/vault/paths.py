"""Which files of a vault are records, and refusing paths that could escape or collide.

A record's file name is always generated (a slug or an id) — never raw input — and still checked
here: no `..`, no absolute paths, no `.git`, no NUL or control characters, no Windows reserved
names, no symlink that leads out of the vault, no case-only twin of an existing file.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from datetime import datetime, tzinfo
from pathlib import Path, PurePosixPath

from obm_tui.model.errors import UsageError
from obm_tui.model.ids import WINDOWS_RESERVED
from obm_tui.model.kinds import KIND_BY_FOLDER, Kind

TEMP_PREFIX = ".~obm-"
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f<>:\"\\|?*]")


def kind_of_path(rel: str) -> Kind | None:
    """The kind a relative path belongs to (`clients/fred.md` -> client), else None."""
    folder, _, name = rel.partition("/")
    if not name or "/" in name or not name.endswith(".md") or name.startswith((".", TEMP_PREFIX)):
        return None
    return KIND_BY_FOLDER.get(folder)


def check_relative(rel: str) -> str:
    """Return `rel` if it is a safe relative record path inside the vault, else raise UsageError."""
    path = PurePosixPath(rel)
    if path.is_absolute() or not rel or rel != unicodedata.normalize("NFC", rel):
        raise UsageError(f"unsafe path {rel!r}: must be relative and NFC-normalised")
    for part in path.parts:
        if part in ("", ".", "..", ".git") or _BAD_CHARS.search(part) or part.startswith("-"):
            raise UsageError(f"unsafe path {rel!r}: the part {part!r} is not allowed")
        if part.split(".")[0].lower() in WINDOWS_RESERVED:
            raise UsageError(f"unsafe path {rel!r}: {part!r} is a reserved name on Windows")
    return rel


def inside(root: Path, path: Path) -> bool:
    """True when `path`, with symlinks resolved, stays inside the vault `root` (a resolved path).

    A path below `root` without `..` and without a symlink on the way is inside: checked with one
    lstat a part (a record is two), not a resolve of every folder from `/`."""
    if not _has_link_below(root, path):
        return True
    try:
        resolved = path.resolve(strict=False)
    except (OSError, RuntimeError):  # symlink loop
        return False
    return resolved == root or root in resolved.parents


def _has_link_below(root: Path, path: Path) -> bool:
    """True unless `path` is below `root` with no `..` and no symlink among its parts (a part
    that does not exist ends the walk: nothing below it can be a link)."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True
    if ".." in parts:
        return True
    current = root
    for part in parts:
        current = current / part
        try:
            if stat.S_ISLNK(os.lstat(current).st_mode):
                return True
        except FileNotFoundError:
            return False
        except OSError:
            return True
    return False


# Versions kept aside (a save that collided, a merge conflict): a tracked folder, so what one
# clone's merge set aside is committed with it and listed in every clone until someone deletes it.
CONFLICT_DIR = "conflicts"
LEGACY_CONFLICT_DIR = ".obm/conflicts"  # git-ignored, where obm kept them before: still listed


def is_kept_version(rel: str) -> bool:
    """True for a version kept aside (`conflicts/<name>.md`): obm commits its arrival and removal."""
    folder, _, name = rel.partition("/")
    return folder == CONFLICT_DIR and name.endswith(".md") and "/" not in name and not name.startswith(".")


def is_legacy_kept_version(rel: str) -> bool:
    """True for a version kept in the older, git-ignored `.obm/conflicts/` (removed, never committed)."""
    folder, _, name = rel.rpartition("/")
    return folder == LEGACY_CONFLICT_DIR and name.endswith(".md") and not name.startswith(".")


def conflict_copy(rel: str, label: str = "", tz: tzinfo | None = None) -> str:
    """Where a version of record `rel` is kept aside: `conflicts/clients__ann.<time>.<pid>[.label].md`,
    the time in the vault's time zone `tz` (`[business] timezone`, as every date obm shows)."""
    stamp = datetime.now(tz).strftime("%Y%m%d-%H%M%S")
    tail = f".{label}" if label else ""
    return f"{CONFLICT_DIR}/{rel.replace('/', '__')[:-3]}.{stamp}.{os.getpid()}{tail}.md"


def record_of_conflict_copy(name: str) -> str:
    """The record path a kept version's file name (as `conflict_copy` made it) belongs to."""
    return name.split(".", 1)[0].replace("__", "/") + ".md"


def case_twin(folder: Path, name: str) -> str | None:
    """An existing file in `folder` whose name differs from `name` only by case (or NFC/NFD)."""
    wanted = unicodedata.normalize("NFC", name).casefold()
    try:
        entries = os.listdir(folder)
    except FileNotFoundError:
        return None
    for entry in entries:
        if entry != name and unicodedata.normalize("NFC", entry).casefold() == wanted:
            return entry
    return None
