"""Field-by-field merge for the stale check: my changes onto a file someone else changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DELETED = object()  # marks a field my change removes


@dataclass(frozen=True)
class FieldConflict:
    """The same field changed here and elsewhere to different values."""

    name: str
    base: Any
    mine: Any
    theirs: Any


def merge_changes(base: Mapping[str, Any], mine: Mapping[str, Any], theirs: Mapping[str, Any]
                  ) -> tuple[dict[str, Any], list[FieldConflict]]:
    """Changes to apply on `theirs` (the file now) so it gets my edits; plus overlapping fields.

    `base` is the front matter I loaded, `mine` maps field -> new raw value (or DELETED).
    A field they did not touch takes my value; a field we both set to the same value is a no-op.
    """
    to_apply: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    for name, value in mine.items():
        before, now = base.get(name, DELETED), theirs.get(name, DELETED)
        if now == value:
            continue
        if now == before:
            to_apply[name] = value
        else:
            conflicts.append(FieldConflict(name, before, value, now))
    return to_apply, conflicts
