"""Recurring processes: which runs `obm tick` must create, and their deterministic ids."""

from __future__ import annotations

from datetime import date

import pytest

from obm_tui.model.recurrence import (
    RecurrenceError,
    check_rule,
    due_occurrences,
    latest_occurrence,
    next_occurrence,
    run_id,
    run_path,
)

TODAY = date(2026, 11, 20)  # a Friday


@pytest.mark.parametrize(
    ("rule", "dtstart", "expected"),
    [
        ("FREQ=WEEKLY;BYDAY=MO", None, date(2026, 11, 16)),
        ("RRULE:FREQ=WEEKLY;BYDAY=MO", None, date(2026, 11, 16)),
        ("FREQ=WEEKLY;BYDAY=FR", None, TODAY),
        ("FREQ=MONTHLY;BYMONTHDAY=1", None, date(2026, 11, 1)),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", None, date(2026, 10, 31)),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1", None, date(2026, 11, 2)),
        ("FREQ=MONTHLY", date(2026, 1, 15), date(2026, 11, 15)),
        ("FREQ=MONTHLY", None, date(2026, 11, 1)),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", date(2026, 11, 6), TODAY),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", date(2026, 11, 13), date(2026, 11, 13)),
        ("FREQ=DAILY", None, TODAY),
        ("freq=weekly;byday=mo", None, date(2026, 11, 16)),
    ],
    ids=[
        "weekly-monday", "rrule-prefix", "today-counts", "monthly-first", "monthly-last-day", "first-workday",
        "bare-monthly-takes-created-day", "bare-monthly-epoch", "fortnight-phase-a", "fortnight-phase-b",
        "daily", "lower-case",
    ],
)
def test_latest_occurrence(rule: str, dtstart: date | None, expected: date) -> None:
    assert latest_occurrence(rule, TODAY, dtstart) == expected


def test_nothing_before_the_process_existed() -> None:
    assert due_occurrences("FREQ=MONTHLY;BYMONTHDAY=1", today=TODAY, dtstart=date(2026, 11, 15)) == []


@pytest.mark.parametrize(
    ("after", "catch_up", "expected"),
    [
        (None, False, [date(2026, 11, 1)]),
        (date(2026, 10, 1), False, [date(2026, 11, 1)]),
        (date(2026, 11, 1), False, []),
        (date(2026, 8, 1), False, [date(2026, 11, 1)]),
        (date(2026, 8, 1), True, [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]),
        (date(2026, 11, 1), True, []),
    ],
    ids=["never-run", "last-month-done", "this-month-done", "missed-months-no-pile-up", "catch-up", "catch-up-nothing"],
)
def test_due_occurrences(after: date | None, catch_up: bool, expected: list[date]) -> None:
    rule = "FREQ=MONTHLY;BYMONTHDAY=1"
    assert due_occurrences(rule, today=TODAY, after=after, catch_up=catch_up) == expected


def test_catch_up_is_capped() -> None:
    days = due_occurrences("FREQ=DAILY", today=TODAY, catch_up=True, limit=5)
    assert days == [date(2026, 11, d) for d in range(16, 21)]


def test_tick_is_idempotent_when_fed_its_own_result() -> None:
    rule = "FREQ=WEEKLY;BYDAY=MO"
    first = due_occurrences(rule, today=TODAY)
    assert due_occurrences(rule, today=TODAY, after=first[-1]) == []


def test_next_occurrence_and_end() -> None:
    assert next_occurrence("FREQ=MONTHLY;BYMONTHDAY=-1", date(2027, 1, 31)) == date(2027, 2, 28)
    assert next_occurrence("FREQ=MONTHLY;UNTIL=20100101", TODAY) is None


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=FORTNIGHTLY", 'unknown FREQ "FORTNIGHTLY"'),
        ("FREQ=HOURLY", "runs are by the day"),
        ("FREQ=MINUTELY;INTERVAL=5", "runs are by the day"),
        ("BYDAY=MO", "no FREQ"),
        ("every monday", "no FREQ"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY"),
        ("FREQ=WEEKLY;COLOUR=blue", "COLOUR"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be 1 or more"),
        ("FREQ=DAILY;interval=-2", "INTERVAL must be 1 or more"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never happens"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31", "never happens"),
    ],
    ids=["unknown-freq", "hourly", "minutely", "no-freq", "prose", "bad-byday", "unknown-part", "interval-zero",
         "interval-negative", "impossible-yearly", "impossible-daily"],
)
def test_bad_rules(rule: str, reason: str) -> None:
    with pytest.raises(RecurrenceError, match=reason):
        check_rule(rule)


def test_rare_but_real_rule_is_accepted() -> None:
    check_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO")  # 29 February on a Monday: every 28 years or so


@pytest.mark.parametrize(
    ("started", "process", "subject", "expected"),
    [
        (TODAY, "client-onboarding", "maya-patel", "2026-11-20-client-onboarding-maya-patel"),
        (date(2026, 12, 1), "monthly-stock-count", None, "2026-12-01-monthly-stock-count"),
        (TODAY, "restock", "MUG-01", "2026-11-20-restock-MUG-01"),
    ],
    ids=["with-subject", "recurring", "sku-subject"],
)
def test_run_ids(started: date, process: str, subject: str | None, expected: str) -> None:
    assert run_id(started, process, subject) == expected
    assert run_path(started, process, subject) == f"runs/{expected}.md"


@pytest.mark.parametrize("bad", ["../x", "a/b", ".hidden", "-x", "a..b", "a b"],
                         ids=["dotdot", "slash", "dot", "dash", "inner-dotdot", "space"])
def test_run_id_refuses_path_tricks(bad: str) -> None:
    with pytest.raises(ValueError):
        run_id(TODAY, "p", bad)
