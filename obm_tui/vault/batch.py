"""Several record files changed by one user action, written safely and committed once.

A purchase-order receipt (the order and every product it restocks) or an import (new tickets
and replies added to old ones) is one change in the business's story, so it is one commit.
`Vault.write_many` (store.py) is the one road for every write — a single create or update is a
batch of one — and these are the values it takes and gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from obm_tui.model.records import Record

if TYPE_CHECKING:
    from obm_tui.vault.store import Vault


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
class Replace:
    """A whole new version of one loaded record (a version kept aside, taken instead of it)."""

    record: Record
    raw: bytes


@dataclass(frozen=True)
class BatchResult:
    """What a write did: the records as written, the commit (None: nothing changed, or pending),
    and, per path, the fields another program had changed that were merged."""

    records: tuple[Record, ...]
    commit: str | None
    pending: bool = False
    outside: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def merged(self) -> tuple[str, ...]:
        return tuple(f"{path} ({', '.join(fields)})" for path, fields in self.outside.items())


@dataclass
class Planned:
    """One file's new bytes, and its old bytes (None for a new file)."""

    rel: str
    new: bytes
    old: bytes | None


def write_many(vault: Vault, items: Sequence[NewFile | Edit | Replace], message: str) -> BatchResult:
    """Write every item and make one commit of their paths (see `Vault.write_many`)."""
    return vault.write_many(items, message)
