"""The three-way field merge between clones (model/record_merge.py)."""

from __future__ import annotations

from typing import Any

import pytest

from obm_tui.model.kinds import KINDS
from obm_tui.model.merge import DELETED
from obm_tui.model.record_merge import merge_field, merge_fields

ABSENT = DELETED


@pytest.mark.parametrize(("base", "ours", "theirs", "counter", "merged", "conflict"), [
    pytest.param("lead", "lead", "past", False, "past", False, id="only-theirs-changed"),
    pytest.param("lead", "current", "lead", False, "current", False, id="only-ours-changed"),
    pytest.param("lead", "current", "current", False, "current", False, id="same-change-both-sides"),
    pytest.param("lead", "current", "past", False, "current", True, id="both-changed-keeps-ours"),
    pytest.param(ABSENT, ABSENT, "x", False, "x", False, id="added-by-theirs"),
    pytest.param("x", "x", ABSENT, False, ABSENT, False, id="removed-by-theirs"),
    pytest.param("x", ABSENT, "y", False, ABSENT, True, id="removed-here-changed-there"),
    pytest.param(10, 7, 12, True, 9, False, id="counter-by-delta"),
    pytest.param("10", "7", "12", True, 9, False, id="counter-as-text"),
    pytest.param(10, 7, "many", True, 7, True, id="counter-not-a-number"),
    pytest.param(ABSENT, 3, 5, True, 3, True, id="counter-without-base"),
])
def test_merge_field(base: Any, ours: Any, theirs: Any, counter: bool, merged: Any, conflict: bool) -> None:
    value, found = merge_field("f", base, ours, theirs, counter)
    assert value == merged if merged is not ABSENT else value is ABSENT
    assert (found is not None) == conflict


def test_on_hand_is_a_counter_and_keys_keep_ours_order() -> None:
    base = {"type": "product", "on_hand": 10, "name": "Mug"}
    ours = {"type": "product", "name": "Mug", "on_hand": 7}
    theirs = {"type": "product", "on_hand": 12, "name": "Mug", "location": "shelf B"}
    merged, conflicts = merge_fields(base, ours, theirs, KINDS["product"])
    assert merged == {"type": "product", "name": "Mug", "on_hand": 9, "location": "shelf B"}
    assert list(merged) == ["type", "name", "on_hand", "location"] and conflicts == []


def test_a_field_that_is_not_a_counter_conflicts() -> None:
    merged, conflicts = merge_fields({"reorder_point": 4}, {"reorder_point": 3}, {"reorder_point": 6}, KINDS["product"])
    assert merged == {"reorder_point": 3} and [c.name for c in conflicts] == ["reorder_point"]
