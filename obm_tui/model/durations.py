"""Durations and due rules of process steps: `+3d`, `+2 workdays`, `+1w`, `+1m after welcome`.

Due dates are days. Workdays are the business calendar's working days (model/calendar.py: Monday
to Friday unless the vault says otherwise, holidays skipped). Nothing here reads the clock: the
caller passes the day to count from, and `local_today` turns an instant into the vault's local day.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta

from obm_tui.model.calendar import WEEKENDS_OFF, BusinessCalendar

MAX_AMOUNT = 9999
_UNITS = {
    "d": "d", "day": "d", "days": "d",
    "wd": "wd", "workday": "wd", "workdays": "wd", "work day": "wd", "work days": "wd",
    "working day": "wd", "working days": "wd", "business day": "wd", "business days": "wd",
    "w": "w", "wk": "w", "wks": "w", "week": "w", "weeks": "w",
    "m": "m", "mo": "m", "month": "m", "months": "m",
    "y": "y", "yr": "y", "year": "y", "years": "y",
}
_TIME_UNITS = {"h", "hr", "hrs", "hour", "hours", "min", "mins", "minute", "minutes", "s", "sec", "second", "seconds"}
_UNIT_NAMES = {"d": "day", "wd": "workday", "w": "week", "m": "month", "y": "year"}
_DURATION_RE = re.compile(r"^([+-]?)\s*(\d+)\s*([a-z][a-z ]*?)\s*$", re.IGNORECASE)
_AFTER_RE = re.compile(r"^(.*?)\s*\bafter\s+(\S+)\s*$", re.IGNORECASE)


class DurationError(ValueError):
    """A duration or due rule that cannot be read; the message says why."""


@dataclass(frozen=True, slots=True)
class Duration:
    """A forward count of days, workdays, weeks, months or years."""

    amount: int
    unit: str  # "d", "wd", "w", "m" or "y"

    def add_to(self, start: date, calendar: BusinessCalendar = WEEKENDS_OFF) -> date:
        """The day this duration after `start` (workdays counted on `calendar`)."""
        if self.unit == "wd":
            return calendar.add_workdays(start, self.amount)
        if self.unit == "d":
            return start + timedelta(days=self.amount)
        if self.unit == "w":
            return start + timedelta(weeks=self.amount)
        months = self.amount * (12 if self.unit == "y" else 1)
        return start + relativedelta(months=months)

    def __str__(self) -> str:
        name = _UNIT_NAMES[self.unit] + ("" if self.amount == 1 else "s")
        return f"+{self.amount} {name}" if self.unit == "wd" else f"+{self.amount}{self.unit}"


@dataclass(frozen=True, slots=True)
class DueRule:
    """When a step is due: a fixed date, or a duration from the run's start or a step's tick."""

    text: str
    duration: Duration | None = None
    after: str | None = None  # a step id; None counts from the run's start
    fixed: date | None = None

    def resolve(
        self, started: date | None, done: Mapping[str, date], calendar: BusinessCalendar = WEEKENDS_OFF
    ) -> date | None:
        """The due date, or None while the day it counts from is unknown."""
        if self.fixed is not None:
            return self.fixed
        anchor = done.get(self.after) if self.after else started
        if anchor is None or self.duration is None:
            return None
        return self.duration.add_to(anchor, calendar)


def parse_duration(text: str) -> Duration:
    """`+3d`, `3 days`, `+2 workdays`, `+1w`, `+1m`, `+1y` -> Duration, or DurationError."""
    raw = text.strip()
    match = _DURATION_RE.match(raw)
    if match is None:
        raise DurationError(f'"{raw}" is not a duration (write it like +3d, +2 workdays, +1w or +1m)')
    sign, amount, unit_text = match.groups()
    unit_key = " ".join(unit_text.lower().split())
    if unit_key in _TIME_UNITS:
        raise DurationError(f'"{raw}": due dates are days, not hours (use d, workdays, w, m or y)')
    if unit_key not in _UNITS:
        raise DurationError(f'"{raw}": unknown unit "{unit_text.strip()}" (use d, workdays, w, m or y)')
    if sign == "-":
        raise DurationError(f'"{raw}": durations count forward; write +{amount}{unit_text.strip()}')
    if int(amount) > MAX_AMOUNT:
        raise DurationError(f'"{raw}": {amount} is too many (at most {MAX_AMOUNT})')
    return Duration(int(amount), _UNITS[unit_key])


def parse_due(text: str) -> DueRule:
    """A `due::` value: a date (`2026-12-01`), a duration, or a duration `after <step-id>`."""
    raw = " ".join(text.split())
    if not raw:
        raise DurationError("empty due date (write it like +3d or +2 workdays after send)")
    fixed = _iso_date(raw)
    if fixed is not None:
        return DueRule(raw, fixed=fixed)
    after_match = _AFTER_RE.match(raw)
    if after_match is None:
        return DueRule(raw, duration=parse_duration(raw))
    head, step = after_match.groups()
    duration = parse_duration(head) if head else Duration(0, "d")
    return DueRule(raw, duration=duration, after=step)


def add_workdays(start: date, count: int, calendar: BusinessCalendar = WEEKENDS_OFF) -> date:
    """The `count`-th working day after `start`; for 0, `start` or the next one (see
    BusinessCalendar.add_workdays: the one place working days are counted)."""
    return calendar.add_workdays(start, count)


def local_today(now: datetime, tz_name: str) -> date:
    """The vault's local day at instant `now` (a naive `now` is taken as already local)."""
    if now.tzinfo is None:
        return now.date()
    return now.astimezone(zone(tz_name)).date()


def zone(tz_name: str) -> ZoneInfo:
    """The time zone named `tz_name` (e.g. `Europe/Paris`), or DurationError saying it is unknown."""
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DurationError(f'unknown time zone "{tz_name}" (write it like Europe/Paris)') from None


def _iso_date(text: str) -> date | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DurationError(f'"{text}" is not a real date') from None
