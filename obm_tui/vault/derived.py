"""Values worked out from a record's file, kept per version of the file.

A ticket's conversation (for its clocks), a run's checklist, a product's ledger: the agenda and the
work lists need them for every open item, and reading and parsing those files is what made their
cost grow with the vault. A value is kept with the digest of the file it came from, and only when
that digest is the index's (`Record.digest`): the index and the value then describe the same
bytes. When the file changes, the watcher's reload brings a new digest and the value is worked out
again, so the agenda rebuilt after one edit reads one file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from obm_tui.model.records import Record

T = TypeVar("T")
SLACK = 1000  # entries beyond the index's size before the ones of gone records are dropped


class DerivedValues:
    """`get(record, name, compute)`: compute(the file's bytes) once per version of the file."""

    def __init__(self, read: Callable[[str], bytes], digest: Callable[[bytes], bytes],
                 alive: Callable[[str], bool], size: Callable[[], int]) -> None:
        self._read, self._digest, self._alive, self._size = read, digest, alive, size
        self._values: dict[tuple[str, str], tuple[bytes, Any]] = {}

    def get(self, record: Record, name: str, compute: Callable[[bytes], T]) -> T:
        """The value `name` of the record's file (what `compute` raises is raised, never kept)."""
        key = (record.path, name)
        kept = self._values.get(key)
        if kept is not None and record.digest and kept[0] == record.digest:
            return kept[1]  # type: ignore[no-any-return]
        raw = self._read(record.path)
        value = compute(raw)
        if record.digest and self._digest(raw) == record.digest:
            self._values[key] = (record.digest, value)
            if len(self._values) > self._size() + SLACK:
                self._drop_gone()
        return value

    def __len__(self) -> int:
        return len(self._values)

    def _drop_gone(self) -> None:
        for key in [k for k in list(self._values) if not self._alive(k[0])]:
            self._values.pop(key, None)
