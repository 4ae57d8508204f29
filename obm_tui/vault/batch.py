"""Several record files changed by one user action, written safely and committed once.

A purchase-order receipt (the order and every product it restocks) or an import (new tickets
and replies added to old ones) is one change in the business's story, so it is one commit.
`write_many` follows the store's road for each file — stale check (merge or stop), a file that
does not parse is never written, lossless edit, atomic write — but plans every file before it
writes any, puts the old bytes back if a write fails half way, and commits all paths together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obm_tui.model.errors import ConflictError, UsageError
from obm_tui.model.records import Record
from obm_tui.vault import frontmatter_edit as edit
from obm_tui.vault.atomic import create_exclusive, write_atomic
from obm_tui.vault.paths import check_relative, kind_of_path
from obm_tui.vault.store import SaveResult, Vault, _digest, for_writer


@dataclass(frozen=True)
class NewFile:
    """A record file to create (never over an existing file)."""

    rel: str
    data: Mapping[str, Any]
    body: str = ""


@dataclass(frozen=True)
class Edit:
    """Field changes (raw values; DELETED removes) and/or a new body for one loaded record.

    A new `body` needs the `base_body` it was made from, so an outside edit of it is noticed.
    """

    record: Record
    changes: Mapping[str, Any] = field(default_factory=dict)
    body: str | None = None
    base_body: str | None = None


@dataclass(frozen=True)
class BatchResult:
    """What `write_many` did: the records as written, the commit (None: nothing changed, or pending)."""

    records: tuple[Record, ...]
    commit: str | None
    pending: bool = False
    merged: tuple[str, ...] = ()


@dataclass
class _Planned:
    rel: str
    new: bytes
    old: bytes | None  # None for a new file


def write_many(vault: Vault, items: Sequence[NewFile | Edit], message: str) -> BatchResult:
    """Write every item, then make one commit of all their paths with `message`.

    Nothing is written when any item is refused (a file that does not parse, overlapping outside
    edits, a new file whose name is taken, an unsafe path); if a write fails half way, the files
    already written get their old bytes back (new ones are removed) and the error is raised.
    """
    with vault._write_lock:
        planned, merged = _plan(vault, items)
        changed = [p for p in planned if p.new != p.old]
        if not changed:
            return BatchResult(tuple(vault._reindex(p.rel, p.new) for p in planned), None)
        _write_all(vault.root, changed)
        records = tuple(vault._reindex(p.rel, p.new) for p in planned)
        note = f" (merged with outside edits of {', '.join(merged)})" if merged else ""
        result: SaveResult = vault._commit([p.rel for p in changed], message + note, records[0])
        return BatchResult(records, result.commit, result.pending, merged)


def _plan(vault: Vault, items: Sequence[NewFile | Edit]) -> tuple[list[_Planned], tuple[str, ...]]:
    planned: list[_Planned] = []
    merged: list[str] = []
    seen: set[str] = set()
    for item in items:
        rel = item.rel if isinstance(item, NewFile) else item.record.path
        if rel in seen:
            raise UsageError(f"{rel} is changed twice in one batch")
        seen.add(rel)
        if isinstance(item, NewFile):
            planned.append(_plan_new(vault, item))
        else:
            step, outside = _plan_edit(vault, item)
            planned.append(step)
            merged += [f"{item.record.path} ({', '.join(outside)})"] if outside else []
    return planned, tuple(merged)


def _plan_new(vault: Vault, item: NewFile) -> _Planned:
    check_relative(item.rel)
    if kind_of_path(item.rel) is None:
        raise UsageError(f"{item.rel} is not inside a record folder")
    if (vault.root / item.rel).exists():
        raise ConflictError(f"{item.rel} already exists; not overwritten")
    return _Planned(item.rel, edit.new_document(for_writer(kind_of_path(item.rel), item.data), item.body), None)


def _plan_edit(vault: Vault, item: Edit) -> tuple[_Planned, tuple[str, ...]]:
    record = item.record
    raw = vault._read_bytes(record.path)
    doc = vault._parse_or_refuse(record, raw)
    changes: Mapping[str, Any] = item.changes
    outside: tuple[str, ...] = ()
    if record.digest and _digest(raw) != record.digest:
        changes, outside = vault._merge_or_stop(record, doc, changes, item.body, item.base_body)
    return _Planned(record.path, vault._apply(doc, changes, item.body, kind_of_path(record.path)), raw), outside


def _write_all(root: Path, planned: list[_Planned]) -> None:
    done: list[_Planned] = []
    try:
        for step in sorted(planned, key=lambda p: p.old is not None):  # new files first: they may clash
            if step.old is None:
                try:
                    create_exclusive(root / step.rel, step.new)
                except FileExistsError:
                    raise ConflictError(f"{step.rel} already exists; not overwritten") from None
            else:
                write_atomic(root / step.rel, step.new)
            done.append(step)
    except BaseException:
        _undo(root, done)
        raise


def _undo(root: Path, done: list[_Planned]) -> None:
    for step in reversed(done):
        if step.old is None:
            (root / step.rel).unlink(missing_ok=True)
        else:
            write_atomic(root / step.rel, step.old)
