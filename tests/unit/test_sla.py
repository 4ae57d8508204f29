"""Response clocks: business hours, nights, weekends, holidays, DST, pauses, targets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from obm_tui.model.sla import (
    ALWAYS,
    BusinessHours,
    SlaSettings,
    StatusEvent,
    Target,
    TicketTimes,
    add_business_time,
    aware,
    clocks,
    describe_clock,
    elapsed_business_time,
    format_span,
    paused_intervals,
    resolved_at,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = BusinessHours(
    always=False, days=frozenset(range(5)), windows=((time(9), time(17)),),
    holidays=frozenset({date(2026, 12, 25)}),
)
EVERY_DAY = BusinessHours(always=False, days=frozenset(range(7)), windows=((time(9), time(17)),))
SPLIT = BusinessHours(always=False, days=frozenset(range(5)),
                      windows=((time(9), time(12, 30)), (time(13, 30), time(17))))
H = timedelta(hours=1)
M = timedelta(minutes=1)


def ldn(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


ELAPSED = [
    # name, start, end, hours, expected
    ("24/7 is wall time", ldn(2026, 11, 16, 10), ldn(2026, 11, 17, 10), ALWAYS, 24 * H),
    ("same day", ldn(2026, 11, 16, 10), ldn(2026, 11, 16, 12), OFFICE, 2 * H),
    ("overnight", ldn(2026, 11, 16, 16), ldn(2026, 11, 17, 10), OFFICE, 2 * H),
    ("night only", ldn(2026, 11, 16, 18), ldn(2026, 11, 17, 8), OFFICE, 0 * H),
    ("weekend", ldn(2026, 11, 20, 16), ldn(2026, 11, 23, 10), OFFICE, 2 * H),
    ("created on saturday", ldn(2026, 11, 21, 10), ldn(2026, 11, 23, 9, 30), OFFICE, 30 * M),
    ("created before opening", ldn(2026, 11, 16, 7), ldn(2026, 11, 16, 9, 15), OFFICE, 15 * M),
    ("whole week", ldn(2026, 11, 16, 0), ldn(2026, 11, 23, 0), OFFICE, 40 * H),
    ("holiday skipped", ldn(2026, 12, 24, 16), ldn(2026, 12, 28, 10), OFFICE, 2 * H),
    ("lunch break", ldn(2026, 11, 16, 12), ldn(2026, 11, 16, 14), SPLIT, 1 * H),
    ("end before start", ldn(2026, 11, 16, 12), ldn(2026, 11, 16, 10), OFFICE, 0 * H),
    ("spring forward, weekend open", ldn(2026, 3, 28, 16), ldn(2026, 3, 29, 10), EVERY_DAY, 2 * H),
    ("spring forward, 24/7", ldn(2026, 3, 28, 12), ldn(2026, 3, 29, 12), ALWAYS, 23 * H),
    ("fall back, 24/7", ldn(2026, 10, 24, 12), ldn(2026, 10, 25, 12), ALWAYS, 25 * H),
    ("fall back, weekend open", ldn(2026, 10, 24, 16), ldn(2026, 10, 25, 10), EVERY_DAY, 2 * H),
    ("inputs in UTC", datetime(2026, 6, 15, 8, tzinfo=UTC), datetime(2026, 6, 15, 9, tzinfo=UTC), OFFICE, 1 * H),
]


@pytest.mark.parametrize(("start", "end", "hours", "expected"), [c[1:] for c in ELAPSED], ids=[c[0] for c in ELAPSED])
def test_elapsed_business_time(start: datetime, end: datetime, hours: BusinessHours, expected: timedelta) -> None:
    assert elapsed_business_time(start, end, hours, LONDON) == expected


def test_business_day_follows_the_zone_not_utc() -> None:
    # 09:00-17:00 New York on a day after the March change is 13:00-21:00 UTC.
    start = datetime(2026, 3, 9, 12, tzinfo=UTC)
    end = datetime(2026, 3, 9, 14, tzinfo=UTC)
    assert elapsed_business_time(start, end, OFFICE, NEW_YORK) == 1 * H
    assert elapsed_business_time(start, end, OFFICE, LONDON) == 2 * H


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        elapsed_business_time(datetime(2026, 1, 1), datetime(2026, 1, 2), OFFICE, LONDON)


def test_aware_reads_naive_as_local() -> None:
    assert aware(datetime(2026, 7, 1, 10), LONDON).astimezone(UTC).hour == 9
    already = datetime(2026, 7, 1, 10, tzinfo=UTC)
    assert aware(already, LONDON) is already


ADD = [
    ("within the day", ldn(2026, 11, 16, 10), 2 * H, OFFICE, ldn(2026, 11, 16, 12)),
    ("exactly at closing", ldn(2026, 11, 16, 16), 1 * H, OFFICE, ldn(2026, 11, 16, 17)),
    ("over the night", ldn(2026, 11, 16, 16), 2 * H, OFFICE, ldn(2026, 11, 17, 10)),
    ("over the weekend", ldn(2026, 11, 20, 16), 2 * H, OFFICE, ldn(2026, 11, 23, 10)),
    ("from saturday", ldn(2026, 11, 21, 12), 1 * H, OFFICE, ldn(2026, 11, 23, 10)),
    ("over lunch", ldn(2026, 11, 16, 12), 1 * H, SPLIT, ldn(2026, 11, 16, 14)),
    ("24/7", ldn(2026, 3, 28, 12), 24 * H, ALWAYS, ldn(2026, 3, 29, 13)),
    ("zero", ldn(2026, 11, 21, 12), 0 * H, OFFICE, ldn(2026, 11, 21, 12)),
]


@pytest.mark.parametrize(("start", "amount", "hours", "expected"), [c[1:] for c in ADD], ids=[c[0] for c in ADD])
def test_add_business_time(start: datetime, amount: timedelta, hours: BusinessHours, expected: datetime) -> None:
    assert add_business_time(start, amount, hours, LONDON) == expected


@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1)),
    st.integers(min_value=0, max_value=200 * 60),
)
def test_add_then_elapsed_round_trip(start: datetime, minutes: int) -> None:
    begin = start.replace(tzinfo=UTC)
    due = add_business_time(begin, timedelta(minutes=minutes), OFFICE, LONDON)
    assert elapsed_business_time(begin, due, OFFICE, LONDON) == timedelta(minutes=minutes)


@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1)),
    st.integers(min_value=0, max_value=10 * 24 * 60),
    st.integers(min_value=0, max_value=10 * 24 * 60),
)
def test_elapsed_is_additive(start: datetime, first: int, second: int) -> None:
    a = start.replace(tzinfo=UTC)
    b = a + timedelta(minutes=first)
    c = b + timedelta(minutes=second)
    whole = elapsed_business_time(a, c, OFFICE, LONDON)
    assert whole == elapsed_business_time(a, b, OFFICE, LONDON) + elapsed_business_time(b, c, OFFICE, LONDON)


def walked_business_time(start: datetime, end: datetime, hours: BusinessHours, tz: ZoneInfo) -> timedelta:
    """The reference: every local day's windows, one by one, clipped to the span."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    total, day = timedelta(0), start.astimezone(tz).date()
    while day <= end.astimezone(tz).date():
        for opens_at, closes_at in hours.windows_on(day):
            opens = datetime.combine(day, opens_at, tzinfo=tz).astimezone(UTC)
            closes = datetime.combine(day, closes_at, tzinfo=tz).astimezone(UTC)
            total += max(timedelta(0), min(closes, end) - max(opens, start))
        day += timedelta(days=1)
    return total


LONG_SPAN_HOURS = {"office": OFFICE, "every day": EVERY_DAY, "split": SPLIT}


@given(
    st.datetimes(min_value=datetime(2022, 1, 1), max_value=datetime(2027, 1, 1)),
    st.integers(min_value=0, max_value=3 * 366 * 24 * 60),
    st.sampled_from(sorted(LONG_SPAN_HOURS)),
    st.sampled_from([LONDON, NEW_YORK, ZoneInfo("Australia/Lord_Howe")]),
)
def test_long_spans_match_a_walk_over_every_day(start: datetime, minutes: int, name: str, tz: ZoneInfo) -> None:
    """Spans of years (a ticket left open) use running day totals; they must equal the walk,
    across DST changes (Lord Howe moves by half an hour) and holidays."""
    begin = start.replace(tzinfo=tz)
    end = begin + timedelta(minutes=minutes)
    hours = LONG_SPAN_HOURS[name]
    assert elapsed_business_time(begin, end, hours, tz) == walked_business_time(begin, end, hours, tz)


def test_a_two_year_span_counts_every_working_day() -> None:
    start = datetime(2024, 1, 1, 0, 0, tzinfo=LONDON)  # a Monday
    end = datetime(2025, 12, 29, 0, 0, tzinfo=LONDON)  # 104 weeks later, a Monday
    holidays_on_workdays = sum(1 for d in OFFICE.holidays if start.date() <= d < end.date() and d.weekday() < 5)
    assert elapsed_business_time(start, end, OFFICE, LONDON) == (104 * 5 - holidays_on_workdays) * 8 * H


def test_paused_intervals_from_history() -> None:
    events = [
        StatusEvent(ldn(2026, 11, 16, 9), "new"),
        StatusEvent(ldn(2026, 11, 16, 10), "pending"),
        StatusEvent(ldn(2026, 11, 16, 11), "pending"),
        StatusEvent(ldn(2026, 11, 17, 10), "open"),
        StatusEvent(ldn(2026, 11, 17, 12), "pending"),
    ]
    pauses = paused_intervals(events, {"pending"})
    assert pauses == [
        (ldn(2026, 11, 16, 10).astimezone(UTC), ldn(2026, 11, 17, 10).astimezone(UTC)),
        (ldn(2026, 11, 17, 12).astimezone(UTC), None),
    ]


SETTINGS = SlaSettings(
    tz=LONDON, hours=OFFICE,
    targets={"normal": Target(8 * H, 40 * H), "urgent": Target(1 * H, 8 * H)},
    breaching_soon=2 * H, pause_on=frozenset({"pending"}),
)
MON9 = ldn(2026, 11, 16, 9)
CREATED = [StatusEvent(MON9, "new")]

CLOCKS = [
    # name, ticket, extra events, now, (first used, first remaining, breached, soon, running, stopped),
    #                                  (resolution used, running, stopped)
    ("fresh, plenty left", TicketTimes(MON9), [], ldn(2026, 11, 16, 11),
     (2 * H, 6 * H, False, False, True, False), (2 * H, True, False)),
    ("breaching soon", TicketTimes(MON9), [], ldn(2026, 11, 16, 15),
     (6 * H, 2 * H, False, True, True, False), (6 * H, True, False)),
    ("overdue next day", TicketTimes(MON9), [], ldn(2026, 11, 17, 11),
     (10 * H, -2 * H, True, False, True, False), (10 * H, True, False)),
    ("urgent overdue", TicketTimes(MON9, priority="urgent"), [], ldn(2026, 11, 16, 12),
     (3 * H, -2 * H, True, False, True, False), (3 * H, True, False)),
    ("unknown priority uses normal", TicketTimes(MON9, priority="odd"), [], ldn(2026, 11, 16, 11),
     (2 * H, 6 * H, False, False, True, False), (2 * H, True, False)),
    ("answered, met", TicketTimes(MON9, status="pending", first_response=ldn(2026, 11, 16, 10)),
     [StatusEvent(ldn(2026, 11, 16, 10), "pending")], ldn(2026, 11, 18, 12),
     (1 * H, 7 * H, False, False, False, True), (1 * H, False, False)),
    ("pause then customer came back",
     TicketTimes(MON9, status="open", first_response=ldn(2026, 11, 16, 10)),
     [StatusEvent(ldn(2026, 11, 16, 10), "pending"), StatusEvent(ldn(2026, 11, 17, 10), "open")],
     ldn(2026, 11, 17, 12), (1 * H, 7 * H, False, False, False, True), (3 * H, True, False)),
    ("created friday night", TicketTimes(ldn(2026, 11, 20, 22)), [], ldn(2026, 11, 23, 10),
     (1 * H, 7 * H, False, False, True, False), (1 * H, True, False)),
    ("resolved stops both",
     TicketTimes(MON9, status="resolved", first_response=ldn(2026, 11, 16, 10), resolved=ldn(2026, 11, 16, 13)),
     [StatusEvent(ldn(2026, 11, 16, 13), "resolved")], ldn(2026, 11, 30, 12),
     (1 * H, 7 * H, False, False, False, True), (4 * H, False, True)),
    ("resolved without a reply stops first response too",
     TicketTimes(MON9, status="closed"), [StatusEvent(ldn(2026, 11, 16, 12), "closed")], ldn(2026, 11, 30, 12),
     (3 * H, 5 * H, False, False, False, True), (3 * H, False, True)),
    ("reopened: the resolved stretch does not count",
     TicketTimes(MON9, status="open", first_response=ldn(2026, 11, 16, 10), resolved=ldn(2026, 11, 16, 11)),
     [StatusEvent(ldn(2026, 11, 16, 11), "resolved"), StatusEvent(ldn(2026, 11, 18, 9), "open")],
     ldn(2026, 11, 18, 10), (1 * H, 7 * H, False, False, False, True), (3 * H, True, False)),
]


@pytest.mark.parametrize(("ticket", "events", "now", "first", "resolution"), [c[1:] for c in CLOCKS],
                         ids=[c[0] for c in CLOCKS])
def test_clocks(ticket: TicketTimes, events: list[StatusEvent], now: datetime,
                first: tuple[object, ...], resolution: tuple[object, ...]) -> None:
    first_clock, resolution_clock = clocks(ticket, CREATED + events, now, SETTINGS)
    got = (first_clock.used, first_clock.remaining, first_clock.breached, first_clock.breaching_soon,
           first_clock.running, first_clock.stopped)
    assert got == first
    assert (resolution_clock.used, resolution_clock.running, resolution_clock.stopped) == resolution
    assert resolution_clock.remaining == resolution_clock.target - resolution_clock.used


def test_due_is_when_a_running_clock_breaches() -> None:
    first, _ = clocks(TicketTimes(ldn(2026, 11, 20, 15)), CREATED, ldn(2026, 11, 20, 16), SETTINGS)
    assert first.due == ldn(2026, 11, 23, 15)  # 1h on friday, 6h on monday


def test_paused_clock_has_no_due_and_is_not_breaching_soon() -> None:
    ticket = TicketTimes(MON9, status="pending")
    first, _ = clocks(ticket, [StatusEvent(ldn(2026, 11, 16, 15), "pending")], ldn(2026, 11, 16, 16), SETTINGS)
    assert first.remaining == 2 * H
    assert not first.running and not first.breaching_soon and first.due is None


def test_resolved_at_prefers_the_field_then_history() -> None:
    events = [StatusEvent(ldn(2026, 11, 16, 11), "resolved"), StatusEvent(ldn(2026, 11, 16, 12), "closed")]
    assert resolved_at(TicketTimes(MON9, status="closed"), events) == ldn(2026, 11, 16, 11)
    field = ldn(2026, 11, 16, 10)
    assert resolved_at(TicketTimes(MON9, status="closed", resolved=field), events) == field
    assert resolved_at(TicketTimes(MON9, status="open", resolved=field), events) is None


@pytest.mark.parametrize(("span", "text"), [(45 * M, "45m"), (3 * H + 10 * M, "3h 10m"),
                                            (26 * H + 5 * M, "1d 2h 05m"), (-(H + 5 * M), "1h 05m")])
def test_format_span(span: timedelta, text: str) -> None:
    assert format_span(span) == text


def test_describe_clock() -> None:
    running, _ = clocks(TicketTimes(MON9), CREATED, ldn(2026, 11, 16, 11), SETTINGS)
    overdue, _ = clocks(TicketTimes(MON9), CREATED, ldn(2026, 11, 17, 11), SETTINGS)
    assert describe_clock(running) == "6h 00m left"
    assert describe_clock(overdue) == "overdue 2h 00m"
