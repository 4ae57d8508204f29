"""Values worked out from a record's file, kept per version of the file.

A ticket's conversation (for its clocks), a run's checklist, a product's ledger: the agenda and the
work lists need them for every open item, and reading and parsing those files is what made their
cost grow with the vault. A value is kept with the digest of the file it came from, and only when
that digest is the index's (`Record.digest`): the index and the value then describe the same
bytes. When the file changes, the watcher's reload brings a new digest and the value is worked out
again, so the agenda rebuilt after one edit reads one file.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from obm_tui.model.records import Record

if TYPE_CHECKING:
    from obm_tui.vault.store import Vault

T = TypeVar("T")
SLACK = 1000  # entries beyond the index's size before the ones of gone records are dropped


class DerivedValues:
    """`get(record, name, compute)`: compute(the file's bytes) once per version of the file."""

    def __init__(self, owner: Vault, digest: Callable[[bytes], bytes]) -> None:
        # A weak reference: no cycle vault <-> derived, so a closed vault is freed as soon as it is
        # dropped, even when a big load froze its objects out of the collector's reach (gc.freeze).
        self._owner = weakref.ref(owner)
        self._digest = digest
        self._values: dict[tuple[str, str], tuple[bytes, Any]] = {}

    def get(self, record: Record, name: str, compute: Callable[[bytes], T]) -> T:
        """The value `name` of the record's file (what `compute` raises is raised, never kept)."""
        key = (record.path, name)
        kept = self._values.get(key)
        if kept is not None and record.digest and kept[0] == record.digest:
            return kept[1]
        raw = self._vault.read_bytes(record.path)  # with its checks (a symlink out of the vault is refused)
        value = compute(raw)
        if record.digest and self._digest(raw) == record.digest:
            self._values[key] = (record.digest, value)
            if len(self._values) > len(self._vault.index) + SLACK:
                self._drop_gone()
        return value

    def __len__(self) -> int:
        return len(self._values)

    @property
    def _vault(self) -> Vault:
        vault = self._owner()
        if vault is None:
            raise RuntimeError("the vault these values belong to is gone")
        return vault

    def _drop_gone(self) -> None:
        index = self._vault.index
        for key in [k for k in list(self._values) if index.by_path(k[0]) is None]:
            self._values.pop(key, None)
