"""Ticket metrics: open by status x priority, medians over a period, per customer, oldest open."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from obm_tui.model.care_metrics import (
    Period,
    TicketSummary,
    customer_key,
    median_first_response,
    median_resolution,
    oldest_open,
    open_by_status_and_priority,
    summarize,
    tickets_per_customer,
)
from obm_tui.model.fields import FieldValueError
from obm_tui.model.sla import BusinessHours

LONDON = ZoneInfo("Europe/London")
H = timedelta(hours=1)
NOV = Period(date(2026, 11, 1), date(2026, 11, 30))


def ldn(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def ticket(tid: str, created: datetime, status: str = "open", priority: str = "normal", customer: str = "jane",
           first: float | None = None, resolved: float | None = None) -> TicketSummary:
    return TicketSummary(
        tid, created, status, priority, customer,
        created + first * H if first is not None else None,
        created + resolved * H if resolved is not None else None,
    )


TICKETS = [
    ticket("T-1", ldn(2026, 11, 2, 10), "resolved", first=1, resolved=5),
    ticket("T-2", ldn(2026, 11, 3, 10), "closed", "high", "bob", first=3, resolved=9),
    ticket("T-3", ldn(2026, 11, 4, 10), "pending", "high", first=2),
    ticket("T-4", ldn(2026, 11, 5, 10), "new", "urgent", "bob"),
    ticket("T-5", ldn(2026, 10, 20, 10), "open", "low", "ann", first=100),
    ticket("T-6", ldn(2026, 12, 1, 0, 30), "new"),
]


def test_open_by_status_and_priority() -> None:
    table = open_by_status_and_priority(TICKETS)
    assert set(table) == {"new", "open", "pending"}
    assert table["new"] == {"low": 0, "normal": 1, "high": 0, "urgent": 1}
    assert table["open"]["low"] == 1 and table["pending"]["high"] == 1
    assert sum(sum(row.values()) for row in table.values()) == 4


MEDIANS = [
    ("first response in november", median_first_response, NOV, 2 * H),  # 1, 3, 2 -> 2
    ("resolution in november", median_resolution, NOV, 7 * H),  # 5 and 9 -> 7
    ("nothing in the period", median_first_response, Period(date(2025, 1, 1), date(2025, 1, 31)), None),
    ("october only", median_first_response, Period(date(2026, 10, 1), date(2026, 10, 31)), 100 * H),
]


@pytest.mark.parametrize(("measure", "period", "expected"), [c[1:] for c in MEDIANS], ids=[c[0] for c in MEDIANS])
def test_medians(measure: object, period: Period, expected: timedelta | None) -> None:
    assert measure(TICKETS, period, LONDON) == expected  # type: ignore[operator]


def test_medians_in_business_hours() -> None:
    office = BusinessHours(always=False, days=frozenset(range(5)), windows=((time(9), time(17)),))
    overnight = [ticket("T-9", ldn(2026, 11, 2, 16), first=18)]  # Mon 16:00 -> Tue 10:00
    assert median_first_response(overnight, NOV, LONDON) == 18 * H
    assert median_first_response(overnight, NOV, LONDON, office) == 2 * H


def test_period_edges_are_local_days() -> None:
    late = [ticket("T-7", ldn(2026, 11, 30, 23, 59), first=1)]
    assert median_first_response(late, NOV, LONDON) == H
    assert median_first_response(TICKETS[-1:], NOV, LONDON) is None


def test_tickets_per_customer() -> None:
    assert tickets_per_customer(TICKETS) == [("jane", 3), ("bob", 2), ("ann", 1)]
    assert tickets_per_customer(TICKETS, NOV, LONDON) == [("bob", 2), ("jane", 2)]


def test_oldest_open() -> None:
    assert [t.id for t in oldest_open(TICKETS)] == ["T-5", "T-3", "T-4", "T-6"]
    assert [t.id for t in oldest_open(TICKETS, limit=1)] == ["T-5"]


KEYS = [
    ("client link wins", {"client": "[[fred-smith]]", "email": "f@x.org", "customer": "Fred"}, "fred-smith"),
    ("email lower case", {"email": "Jane@Example.com", "customer": "Jane"}, "jane@example.com"),
    ("name", {"customer": "Jane  Doe"}, "Jane Doe"),
    ("bad link falls through", {"client": "[[", "customer": "Jane"}, "Jane"),
    ("nothing", {}, ""),
]


@pytest.mark.parametrize(("fields", "expected"), [c[1:] for c in KEYS], ids=[c[0] for c in KEYS])
def test_customer_key(fields: dict[str, str], expected: str) -> None:
    assert customer_key(fields) == expected


def test_summarize_front_matter_strings() -> None:
    summary = summarize({"id": "T-261120-K7Q", "created": "2026-11-20T10:14", "status": "pending",
                         "priority": "high", "email": "jane@example.com",
                         "first_response": "2026-11-20T11:02", "resolved": ""}, LONDON)
    assert summary.created == ldn(2026, 11, 20, 10, 14)
    assert summary.first_response == ldn(2026, 11, 20, 11, 2)
    assert summary.resolved is None and summary.customer == "jane@example.com"
    assert summary.times.priority == "high"


@pytest.mark.parametrize(("fields", "says"), [
    ({"created": "yesterday"}, "created:"), ({}, "created:"),
    ({"created": "2026-11-20", "first_response": "soon"}, "first_response:"),
], ids=["bad created", "missing created", "bad first response"])
def test_summarize_names_the_bad_field(fields: dict[str, str], says: str) -> None:
    with pytest.raises(FieldValueError, match=says):
        summarize(fields, LONDON)
