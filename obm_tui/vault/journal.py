"""The intent journal: a change that touches files is written down before the first file is.

`.obm/journal/<time>-<pid>-<random>.json` (git-ignored) holds, for one change: each path with the
digest of its old bytes and its new bytes (None deletes), the commit message and the author. It is
fsynced before any file is written and removed once the commit is made, so a change killed at any
instant can be finished by the next writer (`Vault` runs `pending` changes each time it takes the
write lock, which every obm command and the app do):

- rolled forward: every file gets its new bytes — unless it now holds a third version (another
  program saved it meanwhile): that file is left as it is and the change's version is kept aside in
  `conflicts/`;
- committed from the journal's own bytes, with its own message and author, then removed.

A journal marked `queued` is a change whose files were all written and whose commit git refused
for a while (a held index.lock): only its commit remains.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from obm_tui.vault.atomic import create_exclusive, fsync_dir, replace_checked, write_atomic
from obm_tui.vault.config import vault_tz
from obm_tui.vault.paths import conflict_copy

JOURNAL_DIR = ".obm/journal"


@dataclass(frozen=True)
class FileChange:
    """One file of a change: the digest of its old bytes (None: it did not exist) and its new bytes
    (None: it is removed)."""

    rel: str
    old: str | None
    new: bytes | None


@dataclass(frozen=True)
class Intent:
    """One change as the journal holds it."""

    name: str
    message: str
    author: tuple[str, str] | None
    files: tuple[FileChange, ...]
    queued: bool = False

    @property
    def paths(self) -> list[str]:
        return [f.rel for f in self.files]


def digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def begin(root: Path, files: Iterable[FileChange], message: str, author: tuple[str, str] | None) -> Intent:
    """Write (and fsync) the journal of a change before any of its files is written."""
    name = f"{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(3)}.json"
    intent = Intent(name, message, author, tuple(files))
    _store(root, intent)
    return intent


def mark_queued(root: Path, intent: Intent) -> Intent:
    """Every file is written; only the commit remains (git refused it for now)."""
    queued = replace(intent, queued=True)
    _store(root, queued)
    return queued


def finish(root: Path, intent: Intent) -> None:
    """The change is committed (or undone): forget it, durably."""
    folder = root / JOURNAL_DIR
    (folder / intent.name).unlink(missing_ok=True)
    fsync_dir(folder)


def pending(root: Path) -> list[Intent]:
    """Unfinished changes, oldest first (a journal that cannot be read is skipped, never removed)."""
    folder = root / JOURNAL_DIR
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json") and not n.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = [_load(folder / n) for n in names]
    return [intent for intent in found if intent is not None]


def _store(root: Path, intent: Intent) -> None:
    files = [{"path": f.rel, "old": f.old, "new": None if f.new is None else base64.b64encode(f.new).decode("ascii")}
             for f in intent.files]
    text = {"message": intent.message, "author": intent.author, "queued": intent.queued, "files": files}
    write_atomic(root / JOURNAL_DIR / intent.name, json.dumps(text).encode("utf-8"))


def _load(path: Path) -> Intent | None:
    try:
        raw = json.loads(path.read_bytes())
        files = tuple(FileChange(str(f["path"]), f["old"], None if f["new"] is None else base64.b64decode(f["new"]))
                      for f in raw["files"])
        author = tuple(raw["author"]) if raw.get("author") else None
        return Intent(path.name, str(raw["message"]), author, files, bool(raw.get("queued")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def roll_forward(root: Path, intent: Intent) -> tuple[dict[str, bytes | None], list[str]]:
    """Give every file of an interrupted change its new bytes. Returns what to commit (path -> bytes,
    None removes) and the conflict copies made for files another program changed meanwhile."""
    if intent.queued:
        return {f.rel: f.new for f in intent.files}, []
    commit: dict[str, bytes | None] = {}
    aside: list[str] = []
    for change in intent.files:
        if _bring_forward(root, change):
            commit[change.rel] = change.new
        elif change.new is not None:
            aside.append(keep_aside(root, change.rel, change.new, "unfinished"))
    return commit, aside


def keep_aside(root: Path, rel: str, data: bytes, label: str) -> str:
    """Keep a version of `rel` in `conflicts/` (listed by `obm check`); returns where."""
    kept = conflict_copy(rel, label, vault_tz(root))
    write_atomic(root / kept, data)
    return kept


def _bring_forward(root: Path, change: FileChange) -> bool:
    """True when the file now holds the change's new bytes (written here if it held the old ones)."""
    path = root / change.rel
    now = _read(path)
    if now == change.new:
        return True
    if digest(now) != change.old:
        return False
    if change.new is None:
        path.unlink(missing_ok=True)
        return True
    if now is None:
        try:
            create_exclusive(path, change.new)
        except FileExistsError:
            return False
        return True
    raced = replace_checked(path, change.new, now)
    for data in raced.superseded if raced is not None else ():
        keep_aside(root, change.rel, data, "outside")
    return raced is None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
