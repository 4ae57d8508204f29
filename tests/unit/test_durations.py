"""Durations and due rules: parsing, counting across weekends and month ends, the vault's day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from obm_tui.model.durations import (
    Duration,
    DurationError,
    add_workdays,
    local_today,
    parse_due,
    parse_duration,
)

FRI = date(2026, 11, 20)
SAT, SUN, MON = FRI + timedelta(1), FRI + timedelta(2), FRI + timedelta(3)


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("+3d", 3, "d"),
        ("3d", 3, "d"),
        ("+3 days", 3, "d"),
        ("+1 day", 1, "d"),
        ("+ 3 D", 3, "d"),
        ("+2 workdays", 2, "wd"),
        ("+1 workday", 1, "wd"),
        ("+2wd", 2, "wd"),
        ("+2 working days", 2, "wd"),
        ("+2 business days", 2, "wd"),
        ("+1w", 1, "w"),
        ("+2 weeks", 2, "w"),
        ("+1m", 1, "m"),
        ("+6 months", 6, "m"),
        ("+1y", 1, "y"),
        ("+0d", 0, "d"),
    ],
    ids=lambda v: str(v),
)
def test_parse_duration(text: str, amount: int, unit: str) -> None:
    assert parse_duration(text) == Duration(amount, unit)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("+2h", "due dates are days, not hours"),
        ("+30 minutes", "due dates are days, not hours"),
        ("+3 fortnights", 'unknown unit "fortnights"'),
        ("-1d", "durations count forward"),
        ("soon", "is not a duration"),
        ("+3", "is not a duration"),
        ("", "is not a duration"),
        ("+99999d", "too many"),
    ],
    ids=["hours", "minutes", "unknown-unit", "negative", "word", "no-unit", "empty", "huge"],
)
def test_bad_duration(text: str, reason: str) -> None:
    with pytest.raises(DurationError, match=reason):
        parse_duration(text)


@pytest.mark.parametrize(
    ("start", "text", "expected"),
    [
        (FRI, "+1 workday", MON),
        (FRI, "+0 workdays", FRI),
        (SAT, "+0 workdays", MON),
        (SUN, "+1 workday", MON),
        (SAT, "+2 workdays", MON + timedelta(1)),
        (FRI, "+5 workdays", FRI + timedelta(7)),
        (date(2026, 11, 18), "+3 workdays", MON),
        (date(2026, 11, 26), "+10 workdays", date(2026, 12, 10)),
        (FRI, "+1d", SAT),
        (FRI, "+3d", MON),
        (FRI, "+1w", FRI + timedelta(7)),
        (date(2026, 1, 31), "+1m", date(2026, 2, 28)),
        (date(2028, 1, 31), "+1m", date(2028, 2, 29)),
        (date(2026, 3, 31), "+1m", date(2026, 4, 30)),
        (date(2026, 12, 15), "+1m", date(2027, 1, 15)),
        (date(2026, 12, 31), "+2d", date(2027, 1, 2)),
        (date(2028, 2, 29), "+1y", date(2029, 2, 28)),
        (date(2026, 12, 31), "+1 workday", date(2027, 1, 1)),
    ],
    ids=[
        "fri+1wd-skips-weekend", "fri+0wd-is-fri", "sat+0wd-is-mon", "sun+1wd-is-mon", "sat+2wd-is-tue",
        "fri+5wd-next-fri", "wed+3wd-is-mon", "thu+10wd-two-weeks", "fri+1d-is-sat", "fri+3d-is-mon",
        "week", "jan31+1m-feb28", "leap-jan31+1m-feb29", "mar31+1m-apr30", "dec+1m-next-year",
        "year-end-days", "feb29+1y", "new-years-day-is-a-workday",
    ],
)
def test_add(start: date, text: str, expected: date) -> None:
    assert parse_duration(text).add_to(start) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 400))
def test_workdays_land_on_the_nth_working_day(start: date, count: int) -> None:
    result = add_workdays(start, count)
    assert result.weekday() < 5
    between = [start + timedelta(n) for n in range(1, (result - start).days + 1)]
    working = sum(1 for day in between if day.weekday() < 5)
    if count == 0 and start.weekday() >= 5:
        assert working == 1  # the next Monday
    else:
        assert working == count


@pytest.mark.parametrize(
    ("text", "done", "expected"),
    [
        ("+2d", {}, FRI + timedelta(2)),
        ("+3d after welcome", {"welcome": MON}, MON + timedelta(3)),
        ("+3d after welcome", {}, None),
        ("+1 workday after send", {"send": FRI}, MON),
        ("after send", {"send": SAT}, SAT),
        ("2026-12-01", {}, date(2026, 12, 1)),
        ("  +2   workdays   after   send ", {"send": FRI}, MON + timedelta(1)),
    ],
    ids=["from-start", "after-step", "after-step-not-done", "workday-after", "bare-after", "fixed", "spaces"],
)
def test_due_rules_resolve(text: str, done: dict[str, date], expected: date | None) -> None:
    assert parse_due(text).resolve(FRI, done) == expected


def test_due_rule_without_start_is_unknown() -> None:
    assert parse_due("+2d").resolve(None, {}) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [("2026-02-30", "not a real date"), ("", "empty due date"), ("+3x after send", 'unknown unit "x"'),
     ("tomorrow", "not a duration")],
    ids=["impossible-date", "empty", "bad-unit-after", "word"],
)
def test_bad_due(text: str, reason: str) -> None:
    with pytest.raises(DurationError, match=reason):
        parse_due(text)


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        (datetime(2026, 11, 20, 23, 30, tzinfo=UTC), "Europe/Paris", date(2026, 11, 21)),
        (datetime(2026, 11, 21, 3, 0, tzinfo=UTC), "America/New_York", date(2026, 11, 20)),
        (datetime(2026, 11, 20, 23, 30), "Europe/Paris", date(2026, 11, 20)),
    ],
    ids=["paris-after-midnight", "new-york-before-midnight", "naive-is-local"],
)
def test_local_today(now: datetime, tz: str, expected: date) -> None:
    assert local_today(now, tz) == expected


def test_unknown_time_zone() -> None:
    with pytest.raises(DurationError, match="unknown time zone"):
        local_today(datetime(2026, 1, 1, tzinfo=UTC), "Mars/Olympus")


@pytest.mark.parametrize("text", ["+3d", "+1 workday", "+2 workdays", "+1w", "+1m", "+1y", "+0d"])
def test_duration_text_round_trips(text: str) -> None:
    assert str(parse_duration(text)) == text
