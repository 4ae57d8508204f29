"""What the process engine may know about records (`model.conditions.Facts`), read from the vault's index.

`record(kind, id)` is one record's front matter; `linked(kind, to)` is every record of `kind` with a
field that links to `to` (a client's invoices). Link lists are built once per kind and kept, so an
agenda over hundreds of runs reads each kind once. Build a new `VaultFacts` after a change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from obm_tui.model.conditions import Ref
from obm_tui.model.fact_values import link_target
from obm_tui.model.kinds import KINDS
from obm_tui.model.records import Record as VaultRecord
from obm_tui.vault.store import Vault


class VaultFacts:
    """Facts over an opened vault's index (archived records included: they are still records)."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._links: dict[str, dict[str, list[Mapping[str, Any]]]] = {}

    def record(self, kind: str, record_id: str) -> Mapping[str, Any] | None:
        """The front matter of one record, or None when there is no such record."""
        found = find_record(self.vault, kind, record_id)
        return found.data if found is not None else None

    def linked(self, kind: str, to: Ref) -> Sequence[Mapping[str, Any]]:
        """Every record of `kind` with a field that links to `to`, by id."""
        if kind not in self._links:
            self._links[kind] = _link_map(self.vault, kind)
        return self._links[kind].get(to.id.casefold(), [])


def find_record(vault: Vault, kind: str, record_id: str) -> VaultRecord | None:
    """A record by kind and id; ids compare without case when no exact match exists."""
    if kind not in KINDS:
        return None
    found = vault.index.get(kind, record_id)
    if found is not None:
        return found
    folded = record_id.casefold()
    return next((r for r in vault.index.of_kind(kind) if r.id.casefold() == folded), None)


def _link_map(vault: Vault, kind: str) -> dict[str, list[Mapping[str, Any]]]:
    links: dict[str, list[Mapping[str, Any]]] = {}
    for record in sorted(vault.index.of_kind(kind), key=lambda r: r.id):
        targets = {t.casefold() for value in record.data.values() for t in _targets(value)}
        for target in targets:
            links.setdefault(target, []).append(record.data)
    return links


def _targets(value: Any) -> list[str]:
    if isinstance(value, list):
        return [t for item in value for t in _targets(item)]
    if isinstance(value, str) and value.startswith("[["):
        target = link_target(value)
        return [target] if target else []
    return []
