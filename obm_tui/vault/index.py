"""The in-memory index: every record's front matter, by kind and id, plus file-level problems.

Records are immutable; a change replaces the record. Readers get lists (snapshots), never the
live dicts, so a save in a worker thread cannot change what a screen is iterating over.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from obm_tui.model.errors import Problem, UsageError
from obm_tui.model.kinds import KINDS
from obm_tui.model.records import Record


class Index:
    """Records by kind and id; thread-safe updates; a version number that grows on every change."""

    def __init__(self, records: Iterable[Record] = ()) -> None:
        self._lock = threading.Lock()
        self._by_kind: dict[str, dict[str, Record]] = {name: {} for name in KINDS}
        self._by_path: dict[str, Record] = {}
        self._paths_of_kind: dict[str, dict[str, Record]] = {name: {} for name in KINDS}  # ids may repeat
        self.version = 0
        for record in records:
            self._put(record)

    def put(self, record: Record) -> None:
        with self._lock:
            self._put(record)
            self.version += 1

    def remove(self, path: str) -> Record | None:
        with self._lock:
            old = self._by_path.pop(path, None)
            if old is not None:
                self._forget(old)
            self.version += 1
            return old

    def _put(self, record: Record) -> None:
        old = self._by_path.get(record.path)
        if old is not None and old.kind != record.kind:
            self._forget(old)
        elif old is not None and self._by_kind[old.kind].get(old.id) is old:
            del self._by_kind[old.kind][old.id]
        self._by_path[record.path] = record
        self._by_kind[record.kind].setdefault(record.id, record)
        self._paths_of_kind[record.kind][record.path] = record

    def _forget(self, old: Record) -> None:
        if self._by_kind[old.kind].get(old.id) is old:
            del self._by_kind[old.kind][old.id]
        self._paths_of_kind[old.kind].pop(old.path, None)

    def __len__(self) -> int:
        return len(self._by_path)

    def all(self) -> list[Record]:
        with self._lock:
            return list(self._by_path.values())

    def of_kind(self, kind: str) -> list[Record]:
        with self._lock:
            return list(self._paths_of_kind[kind].values())

    def by_path(self, path: str) -> Record | None:
        return self._by_path.get(path)

    def get(self, kind: str, record_id: str) -> Record | None:
        return self._by_kind[kind].get(record_id)

    def ids(self, kind: str) -> set[str]:
        """Lower-cased ids of a kind (for unique, case-insensitive new ids)."""
        with self._lock:
            return {r.id.casefold() for r in self._paths_of_kind[kind].values()}

    def problems(self) -> list[Problem]:
        return [p for r in self.all() for p in r.problems]

    def find(self, ref: str, kind: str | None = None) -> Record:
        """A record by id, path, wiki link or unique id prefix (case-insensitive); UsageError if none or many."""
        ref = ref.strip()
        if ref.startswith("[[") and ref.endswith("]]"):
            ref = ref[2:-2].split("|")[0].strip()
        candidates = self.all() if kind is None else self.of_kind(kind)
        for test in (_exact_path, _exact_id, _folded_id, _prefix):
            hits = [r for r in candidates if test(r, ref)]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                names = ", ".join(f"{r.kind} {r.id}" for r in hits[:5])
                raise UsageError(f"{ref!r} matches several records: {names}")
        raise UsageError(f"no record {ref!r}" + (f" among {kind}s" if kind else ""))


def _exact_path(record: Record, ref: str) -> bool:
    return record.path == ref


def _exact_id(record: Record, ref: str) -> bool:
    return record.id == ref


def _folded_id(record: Record, ref: str) -> bool:
    return record.id.casefold() == ref.casefold()


def _prefix(record: Record, ref: str) -> bool:
    return len(ref) >= 3 and record.id.casefold().startswith(ref.casefold())
