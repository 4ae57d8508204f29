"""What another program changed, in business words, and exactly those bytes to commit.

An outside edit (an editor, Obsidian, a `git checkout` of one file) is committed like obm's own
changes: its message names each file it commits, in the words obm's own commits use
(`external edit: client maya-patel: contract sent -> signed`), built by the same functions
(`model/messages.py`). A path whose bytes equal HEAD's is left out of both the commit and the
message, and the commit holds exactly the bytes the message was made from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from obm_tui.model.errors import FormatError, VaultError
from obm_tui.model.messages import change_message, created_message, deleted_message, external_message, subject
from obm_tui.vault.frontmatter import read_document
from obm_tui.vault.git import Git
from obm_tui.vault.paths import kind_of_path


def outside_change(git: Git, root: Path, paths: Sequence[str],
                   given: Mapping[str, bytes | None] | None = None) -> tuple[dict[str, bytes | None], str]:
    """(path -> the bytes to commit, None removes; the message) for the paths that differ from HEAD.
    `given`: bytes already read for some paths (else read from disk now)."""
    contents: dict[str, bytes | None] = {}
    parts: list[str] = []
    for rel in dict.fromkeys(paths):
        now = given[rel] if given is not None and rel in given else _read(root / rel)
        before = _at_head(git, rel)
        if now == before:
            continue
        contents[rel] = now
        parts.append(describe(rel, before, now))
    return contents, external_message(parts)


def describe(rel: str, before: bytes | None, now: bytes | None) -> str:
    """One file's change: `client maya-patel: contract sent -> signed`, `invoice INV-1: created (…)`."""
    kind = kind_of_path(rel)
    if kind is None:
        return f"{rel} {'removed' if now is None else 'added' if before is None else 'edited'}"
    old, new = _data(before), _data(now)
    stem = rel.rsplit("/", 1)[-1].removesuffix(".md")
    record_id = str((new or old or {}).get("id") or stem)
    if now is None:
        return deleted_message(kind.name, record_id)
    if new is None:
        return f"{subject(kind.name, record_id)}: edited ({rel} does not parse)"
    if before is None or old is None:
        return created_message(kind.name, record_id, str(new.get(kind.title_field) or record_id))
    changes = {k: v for k, v in new.items() if k != "__body__" and old.get(k) != v}
    removed = [k for k in old if k != "__body__" and k not in new]
    body_changed = old.get("__body__") != new.get("__body__")
    if not changes and not removed and not body_changed:
        return f"{subject(kind.name, record_id)}: edited (no field changed)"
    return change_message(kind.name, record_id, old, changes, removed, body_changed)


def _data(raw: bytes | None) -> dict[str, Any] | None:
    """The front matter with the body under `__body__`; None when absent or not parsing."""
    if raw is None:
        return None
    try:
        doc = read_document(raw)
    except FormatError:
        return None
    return {**doc.data, "__body__": doc.body}


def _at_head(git: Git, rel: str) -> bytes | None:
    try:
        return git.show_file("HEAD", rel)
    except VaultError:
        return None  # not in HEAD (a new file, or no commit yet)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
