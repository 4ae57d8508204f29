"""The ticket state machine: allowed moves, refusals, and how messages move a ticket."""

from __future__ import annotations

import pytest

from obm_tui.model.tickets import (
    STATUSES,
    Moves,
    TransitionError,
    allowed_moves,
    can_move,
    is_open,
    move,
    needs_follow_up,
    status_after,
)

ALLOWED = [
    ("new", "open"), ("new", "pending"), ("new", "resolved"), ("new", "closed"),
    ("open", "pending"), ("open", "resolved"), ("open", "closed"),
    ("pending", "open"), ("pending", "resolved"), ("pending", "closed"),
    ("resolved", "open"), ("resolved", "closed"),
]


@pytest.mark.parametrize(("start", "to"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_allowed_moves(start: str, to: str) -> None:
    assert move(start, to) == to
    assert can_move(start, to)


REFUSED = [
    ("open", "new", "can move to pending, resolved, closed"),
    ("pending", "new", "can move to open, resolved, closed"),
    ("resolved", "pending", "can move to open, closed"),
    ("closed", "open", "final"),
    ("closed", "new", "final"),
]


@pytest.mark.parametrize(("start", "to", "says"), REFUSED, ids=[f"{a}->{b}" for a, b, _ in REFUSED])
def test_refused_moves_name_the_allowed_ones(start: str, to: str, says: str) -> None:
    with pytest.raises(TransitionError) as err:
        move(start, to)
    assert says in err.value.message
    assert not can_move(start, to)


def test_every_pair_is_decided_by_the_table() -> None:
    for start in STATUSES:
        for to in STATUSES:
            expected = to == start or (start, to) in ALLOWED
            assert can_move(start, to) is expected, (start, to)


@pytest.mark.parametrize("status", STATUSES)
def test_same_status_is_a_no_op(status: str) -> None:
    assert move(status, status) == status


@pytest.mark.parametrize(("start", "to"), [("bogus", "open"), ("open", "done")], ids=["from", "to"])
def test_unknown_status_is_a_clear_error(start: str, to: str) -> None:
    with pytest.raises(TransitionError, match="unknown ticket status"):
        move(start, to)
    assert not can_move(start, to)


def test_allowed_moves_of_closed_is_empty() -> None:
    assert allowed_moves("closed") == ()
    assert allowed_moves("resolved") == ("open", "closed")


STATUS_AFTER = [
    ("reply on new", "new", "agent", None, "pending"),
    ("reply on open", "open", "agent", None, "pending"),
    ("reply on resolved", "resolved", "agent", None, "resolved"),
    ("customer on new", "new", "customer", None, "open"),
    ("customer on pending", "pending", "customer", None, "open"),
    ("customer reopens resolved", "resolved", "customer", None, "open"),
    ("customer on closed stays closed", "closed", "customer", None, "closed"),
    ("note never moves", "open", "note", None, "open"),
    ("note on new", "new", "note", None, "new"),
    ("reply and resolve", "open", "agent", "resolved", "resolved"),
    ("explicit same", "pending", "agent", "pending", "pending"),
]


@pytest.mark.parametrize(
    ("status", "role", "explicit", "expected"),
    [c[1:] for c in STATUS_AFTER], ids=[c[0] for c in STATUS_AFTER],
)
def test_status_after_a_message(status: str, role: str, explicit: str | None, expected: str) -> None:
    assert status_after(status, role, Moves(), explicit) == expected


def test_status_after_follows_config() -> None:
    moves = Moves(reply="open", customer="open")
    assert status_after("new", "agent", moves) == "open"
    assert status_after("pending", "agent", moves) == "open"


def test_explicit_move_that_is_not_allowed_raises() -> None:
    with pytest.raises(TransitionError):
        status_after("closed", "agent", Moves(), "open")


def test_unknown_role_is_refused() -> None:
    with pytest.raises(TransitionError, match="role"):
        status_after("open", "bot", Moves())


@pytest.mark.parametrize(("status", "expected"), [("new", True), ("open", True), ("pending", True),
                                                  ("resolved", False), ("closed", False)])
def test_is_open(status: str, expected: bool) -> None:
    assert is_open(status) is expected


def test_follow_up_only_for_customer_on_closed() -> None:
    assert needs_follow_up("closed", "customer")
    assert not needs_follow_up("closed", "note")
    assert not needs_follow_up("resolved", "customer")
