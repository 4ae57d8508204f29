"""Rows that merge: the rows of a table that only grows (a stock ledger; payments and an outbox
next), merged between two clones by each row's identity, not by its bytes.

A row written by obm carries a short random id (`7K2QXM`, Crockford base 32 like record ids). A
row written by hand, or by an older obm, has none: its identity is then its content without the
running column (date, movement, quantity, ref, note), numbered by occurrence so two equal rows
stay two. Either identity survives re-sorting and a recomputed running column, so a merge keeps
each row once: what one side deleted stays deleted, what one side added is added, in order.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from obm_tui.model.ids import random_suffix

ROW_ID_LENGTH = 6  # 32^6: a billion ids, so two clones' rows of one table do not collide


def new_row_id() -> str:
    """A fresh row id: six random Crockford base-32 characters."""
    return random_suffix(ROW_ID_LENGTH)


def content_ids(contents: Iterable[Hashable]) -> list[str]:
    """Identities of rows without an id, from their content (the running column left out):
    `~<digest>.<n>`, n counting equal rows from 1, so equal rows keep distinct identities."""
    seen: Counter[str] = Counter()
    found = []
    for content in contents:
        digest = hashlib.sha256(repr(content).encode("utf-8")).hexdigest()[:12]
        seen[digest] += 1
        found.append(f"~{digest}.{seen[digest]}")
    return found


@dataclass(frozen=True, slots=True)
class Row:
    """One row as the merge sees it: identity, content to compare, order key, and the row itself."""

    identity: str
    content: Hashable
    key: Any
    item: Any


def merge_rows(base: Sequence[Row], ours: Sequence[Row], theirs: Sequence[Row]) -> list[Row]:
    """Every row once: ours in ours' order, less those theirs deleted; a row only theirs changed
    takes their version; theirs' new rows go in after the last row whose key is not later."""
    base_by = {row.identity: row for row in base}
    theirs_by = {row.identity: row for row in theirs}
    merged = [_newer(row, base_by.get(row.identity), theirs_by.get(row.identity))
              for row in ours if row.identity in theirs_by or row.identity not in base_by]
    known = {row.identity for row in ours} | set(base_by)
    for row in theirs:
        if row.identity not in known:
            _insert_in_order(merged, row)
    return merged


def _newer(ours: Row, base: Row | None, theirs: Row | None) -> Row:
    """Ours, unless only theirs changed the row since the base."""
    if theirs is not None and base is not None and ours.content == base.content != theirs.content:
        return theirs
    return ours


def _insert_in_order(rows: list[Row], row: Row) -> None:
    at = len(rows)
    while at > 0 and rows[at - 1].key > row.key:
        at -= 1
    rows.insert(at, row)
