"""Atomic file writes: a temp file in the same folder, fsync, rename over the target, fsync the folder.

A kill at any instant leaves the target equal to its old or its new bytes. Temp files are named
`.~obm-<name>.<random>` so they are recognisable, git-ignored and cleaned at start.

`replace_checked` also makes sure the bytes replaced are the ones the caller checked: on Linux the
new file is swapped in with `renameat2(RENAME_EXCHANGE)`, which hands back the file it replaced,
so a save by a program that takes no lock (an editor) between the check and the swap is seen,
never overwritten unseen. The file is also re-read just before the swap, so a save made while ours
was written and fsynced is seen before our bytes are ever in the file. A save that lands between
that read and the swap is swapped back, and a yet newer save made over ours in that instant (an
editor that re-reads the file) is kept in the file, the one it replaced handed to the caller.
Without renameat2 the re-read is the only check; an editor saving in the microseconds between it
and `os.replace` is the window that remains there.
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from obm_tui.vault.paths import TEMP_PREFIX

STALE_TEMP_SECONDS = 60.0


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically (and durably, when the filesystem honours fsync)."""
    temp = _write_temp(path, data)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


@dataclass(frozen=True)
class Raced:
    """Another program saved the file between the check and the swap: ours was not written and the
    file holds `theirs`, the newest save seen. `superseded` are older saves that one replaced while
    ours stood there for an instant (oldest first): in no file any more, to be kept by the caller."""

    theirs: bytes
    superseded: tuple[bytes, ...] = ()


SWAP_BACK_LIMIT = 8  # saves landing on the same file in the microseconds of one swap back


def replace_checked(path: Path, data: bytes, expected: bytes) -> Raced | None:
    """Replace `path` (which held `expected` when checked) with `data`, atomically and durably.

    None when done; a `Raced` when another program's save was found in the way (ours not written).
    """
    temp = _write_temp(path, data)
    try:
        now = _read_or_empty(path)  # a save made while ours was being fsynced: seen before ours is in the file
        if now != expected:
            return Raced(now)
        try:
            swapped = _exchange(temp, path)
        except FileNotFoundError:
            return Raced(b"")  # deleted meanwhile
        if not swapped:
            os.replace(temp, path)
            return None
        theirs = temp.read_bytes()
        if theirs == expected:
            return None
        saves = _swap_back(temp, path, data, theirs)
        return Raced(saves[-1], tuple(saves[:-1]))
    finally:
        temp.unlink(missing_ok=True)
        fsync_dir(path.parent)


def _swap_back(temp: Path, path: Path, ours: bytes, theirs: bytes) -> list[bytes]:
    """`path` holds `ours`, `temp` the save it replaced: put that back. An editor that saved again
    over ours meanwhile made the newest save, which is swapped back in turn, so the file ends with
    the newest save. Returns every save seen, oldest first (the last one is in the file; b"": deleted)."""
    saves, placed = [theirs], ours
    for _swap in range(SWAP_BACK_LIMIT):
        try:
            _exchange(temp, path)  # path: the newest save seen; temp: what path held
        except FileNotFoundError:
            return [*saves, b""]  # deleted over ours: the deletion is the newest change
        was = temp.read_bytes()
        if was == placed:
            return saves
        placed = saves[-1]
        saves.append(was)  # saved over what we had just put there: newer still
    return [*saves[:-2], saves[-1], saves[-2]]  # the file holds the one before last; the last is in temp only


def _read_or_empty(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


def _write_temp(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f"{TEMP_PREFIX}{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _mode_of(path))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)


def exchange_supported() -> bool:
    """True when this system's C library offers renameat2 (glibc 2.28+ on Linux)."""
    return _renameat2 is not None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False when the system or the filesystem cannot."""
    if _renameat2 is None:
        return False
    rc = _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    code = ctypes.get_errno()
    if code == errno.ENOENT:
        raise FileNotFoundError(code, os.strerror(code), str(b))
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def create_exclusive(path: Path, data: bytes) -> None:
    """Write a new file atomically, refusing to replace one that exists (FileExistsError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f"{TEMP_PREFIX}{path.name}.{secrets.token_hex(4)}")
    with open(temp, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temp, path)  # fails if the target exists: no race with another creator
    except OSError as exc:
        if isinstance(exc, FileExistsError):
            raise
        if path.exists():  # a filesystem without hard links: best effort
            raise FileExistsError(str(path)) from None
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o644


def remove_stale_temps(paths: list[Path], older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Delete these temp files (found by the scan) if a killed save left them: older than `older_than` s."""
    removed: list[Path] = []
    cutoff = time.time() - older_than
    for path in paths:
        try:
            if path.lstat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed
