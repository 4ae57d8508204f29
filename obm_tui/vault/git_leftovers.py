"""What a git program killed in a vault leaves behind, and clearing it only when none is running.

A git process holds a lock file (`index.lock`, `HEAD.lock`, a ref's `.lock`) while it writes, and
removes it when it ends — unless it was killed. A lock is created exclusively, so while a stale
one exists no new git can take it: if no git process is running in the repository (`/proc`:
a `git` whose working folder is in the vault, or whose command line names it) and the lock has
not changed for STALE_AFTER seconds, nobody owns it and removing it is safe. git's merge also
leaves `.merge_file_*` temp files in the vault's top folder when killed while running a merge driver.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

STALE_AFTER = 2.0  # seconds a lock must be unchanged, with no git running, before it counts as left behind
_LOCK_NAMES = ("index.lock", "HEAD.lock", "ORIG_HEAD.lock", "FETCH_HEAD.lock", "MERGE_HEAD.lock", "config.lock",
               "packed-refs.lock", "shallow.lock", "AUTO_MERGE.lock")
_LOCK_FREE = (b"cat-file", b"hash-object")  # obm's long-running readers never take a lock
DOCTOR = "run `obm doctor` to clear it"


@dataclass(frozen=True)
class Leftover:
    """A file a dead git program left: `kind` is "lock" or "temp"; `age` in seconds."""

    path: Path
    kind: str
    age: float

    def describe(self, root: Path) -> str:
        where = _shown(self.path, root)
        if self.kind == "lock":
            return f"{where}: a git lock file left {_ago(self.age)} ago by a git program that is no longer running"
        return f"{where}: a temp file git's merge left {_ago(self.age)} ago"


def git_processes(root: Path, git_dir: Path) -> list[tuple[int, str]]:
    """(pid, command line) of every git process working in this repository, obm's lock-free readers aside."""
    found = []
    places = tuple(os.fsencode(p) for p in {str(root), str(git_dir)})
    for entry in _proc_entries():
        cmdline = _read(entry / "cmdline")
        if cmdline is None or not _is_git(entry, cmdline) or any(word in cmdline for word in _LOCK_FREE):
            continue
        cwd = _cwd(entry) or b"\0"  # another user's process: its command line only
        if any(cwd == p or cwd.startswith(p + b"/") for p in places) or any(p in cmdline for p in places):
            found.append((int(entry.name), cmdline.replace(b"\0", b" ").decode("utf-8", "replace").strip()))
    return found


def leftovers(root: Path, git_dir: Path) -> list[Leftover]:
    """The lock files and merge temp files present now (whether or not a git program owns them)."""
    now = time.time()
    paths = [(git_dir / name, "lock") for name in _LOCK_NAMES]
    paths += [(path, "lock") for path in (git_dir / "refs").rglob("*.lock")]
    paths += [(path, "temp") for path in root.glob(".merge_file_*")]
    found = []
    for path, kind in paths:
        try:
            found.append(Leftover(path, kind, max(0.0, now - path.lstat().st_mtime)))
        except OSError:
            continue
    return found


def describe_lock(lock: str) -> str:
    """How a lock git could not take is held: by a running git program, or left by one that ended."""
    git_dir = _git_dir_of(Path(lock))
    if git_dir is None:
        return "is held by another git program"
    root = git_dir.parent if git_dir.name == ".git" else git_dir
    try:
        age = time.time() - Path(lock).lstat().st_mtime
    except OSError:
        return "is held by another git program"
    if age < STALE_AFTER or git_processes(root, git_dir):
        return "is held by another git program"
    return f"was left {_ago(age)} ago by a git program that is no longer running; {DOCTOR}"


def clear(root: Path, git_dir: Path, wait: float = 0.0) -> tuple[list[Leftover], list[tuple[int, str]]]:
    """Remove the leftovers when no git program runs in the repository: (cleared, running programs).

    A lock younger than STALE_AFTER is waited for, up to `wait` seconds, then left alone.
    """
    deadline = time.monotonic() + wait
    while True:
        found = leftovers(root, git_dir)
        running = git_processes(root, git_dir) if found else []
        if running or not found:
            return [], running
        young = [item for item in found if item.age < STALE_AFTER]
        if not young or time.monotonic() >= deadline:
            break
        time.sleep(min(STALE_AFTER - min(item.age for item in young), max(0.0, deadline - time.monotonic())) + 0.05)
    return [item for item in found if item.age >= STALE_AFTER and _remove(item)], []


def _remove(item: Leftover) -> bool:
    try:
        if time.time() - item.path.lstat().st_mtime < STALE_AFTER:
            return False  # changed since it was looked at: someone is using it
        item.path.unlink()
    except OSError:
        return False
    return True


def _proc_entries() -> list[Path]:
    try:
        return [entry for entry in Path("/proc").iterdir() if entry.name.isdigit() and int(entry.name) != os.getpid()]
    except OSError:
        return []


def _is_git(entry: Path, cmdline: bytes) -> bool:
    program = os.path.basename(cmdline.split(b"\0", 1)[0])
    comm = _read(entry / "comm") or b""
    return program == b"git" or program.startswith(b"git-") or comm.startswith(b"git")


def _cwd(entry: Path) -> bytes | None:
    try:
        return os.fsencode(os.readlink(entry / "cwd"))
    except OSError:
        return None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _git_dir_of(lock: Path) -> Path | None:
    for folder in lock.parents:
        if (folder / "HEAD").is_file() and ((folder / "objects").is_dir() or (folder / "commondir").is_file()):
            return folder
    return None


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _ago(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.0f} h"
