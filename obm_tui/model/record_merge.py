"""Three-way merge of a record between two clones: field by field, counters by delta.

Used by the git merge driver (vault/merge_driver.py) when two people changed the same record
file in their clones. A field changed on one side takes that side's value; a field changed on
both sides to the same value is that value; a counter (a field whose kind marks it
`extra={"merge": "counter"}`, such as a product's `on_hand`) adds both sides' changes to the
base (10 -> 7 here, 10 -> 12 there: 9); any other field changed on both sides differently is a
conflict: ours is kept and the conflict is reported, never written as `<<<<<<<` markers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from obm_tui.model.fields import FieldValueError, to_int
from obm_tui.model.kinds import Kind
from obm_tui.model.merge import DELETED, FieldConflict


def merge_fields(base: Mapping[str, Any], ours: Mapping[str, Any], theirs: Mapping[str, Any],
                 kind: Kind | None = None) -> tuple[dict[str, Any], list[FieldConflict]]:
    """(the merged front matter, the fields changed differently on both sides). Raw values as the
    strict reader gives them; a field removed on one side and untouched on the other is removed.
    Key order: ours, then keys only theirs added, in their order."""
    merged: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    for name in [*ours, *(k for k in theirs if k not in ours)]:
        value, conflict = merge_field(name, base.get(name, DELETED), ours.get(name, DELETED),
                                      theirs.get(name, DELETED), is_counter(kind, name))
        if conflict is not None:
            conflicts.append(conflict)
        if value is not DELETED:
            merged[name] = value
    return merged, conflicts


def merge_field(name: str, base: Any, ours: Any, theirs: Any,
                counter: bool = False) -> tuple[Any, FieldConflict | None]:
    """One field's merged value (DELETED: absent) and its conflict, if any (then ours is kept)."""
    if ours == theirs or theirs == base:
        return ours, None
    if ours == base:
        return theirs, None
    if counter:
        summed = _by_delta(base, ours, theirs)
        if summed is not None:
            return summed, None
    return ours, FieldConflict(name, base, ours, theirs)


def is_counter(kind: Kind | None, name: str) -> bool:
    spec = kind.field(name) if kind is not None else None
    return spec is not None and spec.extra.get("merge") == "counter"


def _by_delta(base: Any, ours: Any, theirs: Any) -> int | None:
    """base + (ours - base) + (theirs - base), when all three are whole numbers."""
    try:
        start, mine, other = (to_int(v) for v in (base, ours, theirs))
    except (FieldValueError, TypeError, ValueError):
        return None
    return mine + other - start
