"""Versions kept aside by a conflict (a save that collided, a merge between clones): list them,
discard one, or take one instead of its record — each one commit, through the vault's one road.

A kept version is a whole record file in `conflicts/` (tracked, so every clone lists it) or in the
older, git-ignored `.obm/conflicts/`; its name says which record it belongs to
(`paths.conflict_copy`). It is listed by `obm check` and the app's Problems until it is removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from obm_tui.model.errors import UsageError
from obm_tui.vault.batch import Replace
from obm_tui.vault.paths import (
    CONFLICT_DIR,
    LEGACY_CONFLICT_DIR,
    is_kept_version,
    is_legacy_kept_version,
    record_of_conflict_copy,
)
from obm_tui.vault.store import Vault


@dataclass(frozen=True)
class KeptVersion:
    """`path` (under conflicts/) holds another version of the record at `record`."""

    path: str
    record: str


def kept_versions(root: Path) -> list[KeptVersion]:
    """Every kept version, tracked folder first, oldest name first."""
    found = []
    for folder in (CONFLICT_DIR, LEGACY_CONFLICT_DIR):
        try:
            names = sorted(p.name for p in (root / folder).iterdir() if p.suffix == ".md")
        except OSError:
            continue
        names = [n for n in names if not n.startswith(".")]
        found += [KeptVersion(f"{folder}/{name}", record_of_conflict_copy(name)) for name in names]
    return found


def record_of_kept(path: str) -> str:
    """The record a kept version belongs to."""
    return record_of_conflict_copy(path.rsplit("/", 1)[-1])


def _kept(vault: Vault, path: str) -> KeptVersion:
    if not (is_kept_version(path) or is_legacy_kept_version(path)) or not (vault.root / path).is_file():
        raise UsageError(f"{path} is not a version kept in {CONFLICT_DIR}/ (any more)")
    return KeptVersion(path, record_of_conflict_copy(path.rsplit("/", 1)[-1]))


def discard(vault: Vault, path: str) -> str | None:
    """Remove the kept version `path` (the record stays as it is); returns the commit."""
    kept = _kept(vault, path)
    record = vault.index.by_path(kept.record)
    what = f"{record.kind} {record.id}" if record is not None else kept.record
    result = vault.write_many([], f"{what}: conflict resolved, kept as it is ({path} discarded)", discard=[path])
    return result.commit


def take(vault: Vault, path: str) -> str | None:
    """Make the kept version `path` the record's file, and remove it, in one commit."""
    kept = _kept(vault, path)
    record = vault.index.by_path(kept.record)
    if record is None:
        raise UsageError(f"{kept.record} is not in the vault (any more); open {path} in your editor to copy "
                         "what you need")
    raw = (vault.root / path).read_bytes()
    message = f"{record.kind} {record.id}: conflict resolved, took the version kept in {path}"
    return vault.write_many([Replace(record, raw)], message, discard=[path]).commit
