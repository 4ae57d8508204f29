"""Atomic file writes: a temp file in the same folder, fsync, rename over the target, fsync the folder.

A kill at any instant leaves the target equal to its old or its new bytes. Temp files are named
`.~obm-<name>.<random>` so they are recognisable, git-ignored and cleaned at start.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from obm_tui.vault.paths import TEMP_PREFIX

STALE_TEMP_SECONDS = 60.0


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically (and durably, when the filesystem honours fsync)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f"{TEMP_PREFIX}{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _mode_of(path))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


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
