"""The business calendar: working days, the business's own holidays, a country's public holidays."""

from __future__ import annotations

from datetime import date

import pytest

from obm_tui.model.calendar import WEEKENDS_OFF, BusinessCalendar, CalendarError, load_calendar
from obm_tui.model.durations import parse_due

OFF_FOR_THANKSGIVING = BusinessCalendar(holidays=frozenset({date(2026, 11, 26), date(2026, 11, 27)}))


@pytest.mark.parametrize("calendar, start, count, expected", [
    pytest.param(WEEKENDS_OFF, date(2026, 11, 20), 1, date(2026, 11, 23), id="friday-plus-one"),
    pytest.param(WEEKENDS_OFF, date(2026, 11, 21), 0, date(2026, 11, 23), id="saturday-plus-zero"),
    pytest.param(WEEKENDS_OFF, date(2026, 11, 21), 1, date(2026, 11, 23), id="saturday-plus-one"),
    pytest.param(OFF_FOR_THANKSGIVING, date(2026, 11, 25), 2, date(2026, 12, 1), id="over-two-holidays"),
    pytest.param(OFF_FOR_THANKSGIVING, date(2026, 11, 26), 0, date(2026, 11, 30), id="on-a-holiday"),
    pytest.param(BusinessCalendar(country="US"), date(2026, 12, 24), 1, date(2026, 12, 28), id="us-christmas"),
    pytest.param(BusinessCalendar(country="GB"), date(2026, 12, 24), 1, date(2026, 12, 29), id="gb-boxing-day"),
    pytest.param(BusinessCalendar(days=frozenset(range(6))), date(2026, 11, 20), 1, date(2026, 11, 21),
                 id="six-day-week"),
])  # fmt: skip
def test_add_workdays(calendar: BusinessCalendar, start: date, count: int, expected: date) -> None:
    assert calendar.add_workdays(start, count) == expected


def test_due_rules_count_on_the_calendar() -> None:
    rule = parse_due("+2 workdays")
    assert rule.resolve(date(2026, 11, 25), {}) == date(2026, 11, 27)
    assert rule.resolve(date(2026, 11, 25), {}, OFF_FOR_THANKSGIVING) == date(2026, 12, 1)


def test_a_calendar_with_no_working_day_is_refused() -> None:
    with pytest.raises(CalendarError, match="no working day"):
        BusinessCalendar(days=frozenset()).add_workdays(date(2026, 1, 1), 1)


def test_load_calendar_keeps_old_configs_and_reports_bad_values() -> None:
    old = {"care": {"hours": {"holidays": ["2026-11-26"]}}}
    assert load_calendar(old) == (BusinessCalendar(holidays=frozenset({date(2026, 11, 26)})), ())
    assert load_calendar({}) == (WEEKENDS_OFF, ())
    calendar, problems = load_calendar({"calendar": {"country": "us", "subdivision": "ca", "days": "mon-sat"}})
    assert (calendar.country, calendar.subdivision, calendar.days) == ("US", "CA", frozenset(range(6)))
    calendar, problems = load_calendar({"calendar": {"country": "XX", "holidays": ["soon"], "days": "fri-mon"}})
    assert calendar.country == "" and calendar.holidays == frozenset() and calendar.days == {4, 5, 6, 0}
    assert [p.split(":")[0] for p in problems] == ["calendar.holidays", "calendar.country"]
