"""The ticket state machine: statuses, the allowed moves, and how messages move a ticket.

Pure: no clock, no files. See docs/customer-care.md, "Statuses and moves".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from obm_tui.model.errors import ValidationError
from obm_tui.model.kinds import TICKET_STATUSES

STATUSES: tuple[str, ...] = TICKET_STATUSES
OPEN_STATUSES = frozenset({"new", "open", "pending"})
DONE_STATUSES = frozenset({"resolved", "closed"})
ROLES = ("customer", "agent", "note")

TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    "new": ("open", "pending", "resolved", "closed"),
    "open": ("pending", "resolved", "closed"),
    "pending": ("open", "resolved", "closed"),
    "resolved": ("open", "closed"),
    "closed": (),
}


class TransitionError(ValidationError):
    """A status move that the state machine does not allow."""

    title = "Status change not allowed"


@dataclass(frozen=True, slots=True)
class Moves:
    """Where a message moves a ticket (`[care.moves]` in config)."""

    reply: str = "pending"
    customer: str = "open"


DEFAULT_MOVES = Moves()


def _check_status(status: str) -> None:
    if status not in TRANSITIONS:
        raise TransitionError(f"unknown ticket status {status!r}: expected one of {', '.join(STATUSES)}")


def allowed_moves(status: str) -> tuple[str, ...]:
    """The statuses a ticket in `status` may move to (the same status is always a no-op)."""
    _check_status(status)
    return TRANSITIONS[status]


def can_move(status: str, to: str) -> bool:
    """True when `status -> to` is allowed (or is no move at all)."""
    if status not in TRANSITIONS or to not in TRANSITIONS:
        return False
    return to == status or to in TRANSITIONS[status]


def move(status: str, to: str) -> str:
    """The new status, or TransitionError naming the allowed moves."""
    _check_status(status)
    _check_status(to)
    if to == status or to in TRANSITIONS[status]:
        return to
    allowed = TRANSITIONS[status]
    if not allowed:
        raise TransitionError(f"a {status} ticket is final: it cannot move to {to}; start a follow-up ticket")
    raise TransitionError(f"a {status} ticket cannot move to {to}; it can move to {', '.join(allowed)}")


def status_after(status: str, role: str, moves: Moves = DEFAULT_MOVES, explicit: str | None = None) -> str:
    """The status after a message by `role` (customer, agent or note) on a ticket in `status`.

    `explicit` (a reply that names its status, e.g. reply and resolve) wins over the table.
    Notes never move a ticket; nothing moves a closed ticket; a move the state machine
    refuses leaves the status as it is, except an explicit one, which raises TransitionError.
    """
    _check_status(status)
    if role not in ROLES:
        raise TransitionError(f"unknown message role {role!r}: expected customer, agent or note")
    if explicit:
        return move(status, explicit)
    target = {"agent": moves.reply, "customer": moves.customer}.get(role)
    if target is None or not can_move(status, target):
        return status
    return target


def is_open(status: str) -> bool:
    """True for new, open and pending tickets (the queue)."""
    return status in OPEN_STATUSES


def needs_follow_up(status: str, role: str) -> bool:
    """True when a customer writes on a closed ticket: the app should open a follow-up ticket."""
    return status == "closed" and role == "customer"
