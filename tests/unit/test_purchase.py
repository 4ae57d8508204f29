"""Purchase orders: lines from front matter, status moves, receiving, incoming, totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from obm_tui.model.purchase import (
    POLine,
    PurchaseError,
    PurchaseOrder,
    incoming,
    lines_to_raw,
    move,
    parse_lines,
    receive,
    status_of,
    total,
)

DAY = date(2026, 12, 2)
RAW = [
    {"sku": "MUG-01", "qty": "48", "received": "24", "unit_cost": "4.20"},
    {"sku": "TOTE-02", "qty": "30", "received": "0", "unit_cost": "3.10"},
]
LINES = (POLine("MUG-01", 48, 24, Decimal("4.20")), POLine("TOTE-02", 30, 0, Decimal("3.10")))


def test_documented_lines() -> None:
    assert parse_lines(RAW) == (LINES, ())
    assert lines_to_raw(LINES) == RAW
    assert total(LINES) == Decimal("294.60")


BAD_LINES = [
    ("not a list", "MUG-01", "lines: expected a list"),
    ("not a mapping", ["MUG-01"], "lines[1]: expected sku"),
    ("no sku", [{"qty": "1"}], "lines[1].sku: missing"),
    ("qty text", [{"sku": "A", "qty": "many"}], "lines[1] (A): expected a whole number"),
    ("qty zero", [{"sku": "A", "qty": "0"}], "qty must be more than 0"),
    ("received too many", [{"sku": "A", "qty": "2", "received": "3"}], "received must be between 0 and qty (2)"),
    ("received negative", [{"sku": "A", "qty": "2", "received": "-1"}], "received must be between"),
    ("cost not money", [{"sku": "A", "qty": "2", "unit_cost": "cheap"}], "expected an amount"),
]


@pytest.mark.parametrize(("raw", "says"), [c[1:] for c in BAD_LINES], ids=[c[0] for c in BAD_LINES])
def test_bad_lines_are_problems(raw: object, says: str) -> None:
    lines, problems = parse_lines(raw)
    assert lines == ()
    (problem,) = problems
    assert says in problem


def test_good_lines_kept_beside_bad_ones() -> None:
    lines, problems = parse_lines([RAW[0], {"sku": "X"}, {"sku": "B", "qty": "3"}])
    assert [line.sku for line in lines] == ["MUG-01", "B"] and lines[1].received == 0
    assert problems == ("lines[2] (X): qty missing",)


def test_empty_lines() -> None:
    assert parse_lines(None) == ((), ())


MOVES = [("draft", "ordered"), ("draft", "cancelled"), ("ordered", "partial"), ("ordered", "received"),
         ("ordered", "cancelled"), ("partial", "received"), ("partial", "cancelled"), ("received", "received")]


@pytest.mark.parametrize(("start", "to"), MOVES, ids=[f"{a}->{b}" for a, b in MOVES])
def test_allowed_moves(start: str, to: str) -> None:
    assert move(start, to) == to


@pytest.mark.parametrize(("start", "to", "says"), [
    ("draft", "received", "can move to ordered, cancelled"),
    ("received", "ordered", "nothing (it is final)"),
    ("cancelled", "ordered", "nothing"),
    ("partial", "draft", "can move to received, cancelled"),
    ("draft", "lost", "unknown purchase-order status 'lost'"),
], ids=["skip ordering", "received is final", "cancelled is final", "back to draft", "unknown"])
def test_refused_moves(start: str, to: str, says: str) -> None:
    with pytest.raises(PurchaseError, match=says.replace("(", r"\(").replace(")", r"\)")):
        move(start, to)


RECEIPTS = [
    # name, status, arrivals, (status after, received per line, received date)
    ("rest of mugs", "partial", {"MUG-01": 24}, ("partial", (48, 0), None)),
    ("everything", "partial", {"MUG-01": 24, "TOTE-02": 30}, ("received", (48, 30), DAY)),
    ("some totes", "ordered", {"TOTE-02": 10}, ("partial", (24, 10), None)),
    ("zeros ignored", "partial", {"MUG-01": 1, "TOTE-02": 0}, ("partial", (25, 0), None)),
]


@pytest.mark.parametrize(("status", "arrivals", "expected"), [c[1:] for c in RECEIPTS], ids=[c[0] for c in RECEIPTS])
def test_receive(status: str, arrivals: dict[str, int], expected: tuple[object, ...]) -> None:
    receipt = receive("PO-261120-AB3", status, LINES, arrivals, DAY)
    assert (receipt.status, tuple(line.received for line in receipt.lines), receipt.received) == expected
    assert receipt.deltas == {k: v for k, v in arrivals.items() if v}
    assert LINES[0].received == 24  # the input is unchanged


def test_receive_message() -> None:
    receipt = receive("PO-261120-AB3", "partial", LINES, {"MUG-01": 24, "TOTE-02": 30}, DAY)
    assert receipt.message == "purchase-order PO-261120-AB3: received MUG-01 24, TOTE-02 30, partial -> received"


def test_duplicate_skus_fill_in_order() -> None:
    lines = (POLine("A", 2, 0), POLine("A", 3, 0))
    receipt = receive("PO-1", "ordered", lines, {"A": 4}, DAY)
    assert [line.received for line in receipt.lines] == [2, 2] and receipt.status == "partial"


REFUSED = [
    ("draft", {"MUG-01": 1}, "is draft: only ordered or partial"),
    ("received", {"MUG-01": 1}, "is received"),
    ("partial", {"CUP-9": 1}, "has no line for CUP-9"),
    ("partial", {"MUG-01": 25}, "25 arrived but only 24 are still to come"),
    ("partial", {"MUG-01": -2}, "whole number above 0"),
    ("partial", {"MUG-01": 1.5}, "whole number above 0"),
    ("partial", {}, "nothing to receive"),
    ("partial", {"TOTE-02": 1, "MUG-01": 99}, "99 arrived"),
]


@pytest.mark.parametrize(("status", "arrivals", "says"), REFUSED,
                         ids=["draft", "received", "unknown sku", "over delivery", "negative", "fraction", "empty",
                              "one bad refuses all"])
def test_receive_refused(status: str, arrivals: dict[str, int], says: str) -> None:
    with pytest.raises(PurchaseError, match=says):
        receive("PO-1", status, LINES, arrivals, DAY)


def test_status_of() -> None:
    assert status_of([POLine("A", 2, 0)]) == "ordered"
    assert status_of([POLine("A", 2, 1)]) == "partial"
    assert status_of([POLine("A", 2, 2), POLine("B", 1, 1)]) == "received"


def test_incoming_counts_only_open_orders() -> None:
    orders = [
        PurchaseOrder("PO-1", "partial", LINES),
        PurchaseOrder("PO-2", "ordered", (POLine("MUG-01", 10),)),
        PurchaseOrder("PO-3", "draft", (POLine("MUG-01", 100),)),
        PurchaseOrder("PO-4", "cancelled", (POLine("MUG-01", 100),)),
        PurchaseOrder("PO-5", "received", (POLine("MUG-01", 5, 5),)),
    ]
    assert incoming(orders) == {"MUG-01": 34, "TOTE-02": 30}
