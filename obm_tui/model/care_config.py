"""Reading the customer-care settings (`[business].timezone`, `[care]`) from `.obm/config.toml` data.

Takes the dict that tomllib gives and never raises: a bad value is reported as a problem
(`care.hours.open: ...`) and its default is used. Defaults are in docs/customer-care.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, time, timedelta, tzinfo
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from obm_tui.model.calendar import (
    WEEKENDS_OFF,
    BusinessCalendar,
    CalendarError,
    load_calendar,
    parse_days,
    parse_holidays,
)
from obm_tui.model.sla import (
    ALWAYS,
    DEFAULT_TARGETS,
    BusinessHours,
    SlaSettings,
    Target,
)
from obm_tui.model.tickets import STATUSES, Moves

_DURATION_RE = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*$", re.I)
_WINDOW_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class ConfigValueError(ValueError):
    """A config value that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class CareConfig:
    """The clock settings, the message moves, and what was wrong in the file."""

    settings: SlaSettings
    moves: Moves
    problems: tuple[str, ...] = ()


def parse_duration(text: Any) -> timedelta:
    """`"1h30m"`, `"8h"`, `"90m"` -> timedelta. Days are refused (business days vary)."""
    if not isinstance(text, str):
        raise ConfigValueError(f"expected a duration like \"8h\" or \"1h30m\", got {text!r}")
    match = _DURATION_RE.match(text)
    if not match or not any(match.groups()):
        raise ConfigValueError(f"expected a duration like \"8h\" or \"1h30m\", got {text!r}")
    hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(hours=hours, minutes=minutes)


def parse_timezone(name: Any) -> tzinfo:
    """An IANA time zone name (`Europe/London`) -> ZoneInfo; `UTC` when empty."""
    if name in (None, ""):
        return UTC
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigValueError(f"unknown time zone {name!r}: use a name like Europe/London") from None


def parse_windows(text: Any) -> tuple[tuple[time, time], ...]:
    """`"09:00-12:30, 13:30-17:00"` -> ((09:00, 12:30), (13:30, 17:00)), checked and sorted."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigValueError(f"expected opening hours like \"09:00-17:00\", got {text!r}")
    windows = [_parse_window(part) for part in text.split(",")]
    windows.sort()
    for (_, end), (start, _) in pairwise(windows):
        if start < end:
            raise ConfigValueError(f"opening hours overlap in {text!r}")
    return tuple(windows)


def _parse_window(part: str) -> tuple[time, time]:
    match = _WINDOW_RE.match(part)
    if not match:
        raise ConfigValueError(f"expected a window like 09:00-17:00, got {part.strip()!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise ConfigValueError(f"impossible time in {part.strip()!r}")
    opens, closes = time(h1, m1), (time(h2, m2) if h2 < 24 else time.max)
    if closes <= opens:
        raise ConfigValueError(f"{part.strip()!r} closes before it opens (windows may not cross midnight)")
    return opens, closes


def parse_hours(table: Any, calendar: BusinessCalendar = WEEKENDS_OFF) -> BusinessHours:
    """The `[care.hours]` table -> BusinessHours (24/7 when absent or `always = true`). Open on
    `days` (the calendar's working days by default), closed on the calendar's holidays (which
    include this table's `holidays`: see model/calendar.py)."""
    if table is None:
        return ALWAYS
    if not isinstance(table, Mapping):
        raise ConfigValueError("expected a table with days, open and holidays")
    if table.get("always") is True:
        return ALWAYS
    try:
        days = parse_days(table["days"]) if "days" in table else calendar.days
        holidays = parse_holidays(table.get("holidays", []))
    except CalendarError as exc:
        raise ConfigValueError(str(exc)) from None
    windows = parse_windows(table.get("open", "09:00-17:00"))
    return BusinessHours(always=False, days=days, windows=windows, holidays=holidays, calendar=calendar)


class _Reader:
    """Collects problems while reading values with defaults."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def get(self, where: str, parse: Any, raw: Any, default: Any) -> Any:
        if raw is None:
            return default
        try:
            return parse(raw)
        except ConfigValueError as exc:
            self.problems.append(f"{where}: {exc}; using the default")
            return default


def _status(value: Any) -> str:
    if value not in STATUSES:
        raise ConfigValueError(f"expected a ticket status ({', '.join(STATUSES)}), got {value!r}")
    return str(value)


def _statuses(value: Any) -> frozenset[str]:
    if not isinstance(value, list):
        raise ConfigValueError(f"expected a list of statuses, got {value!r}")
    return frozenset(_status(v) for v in value)


def _targets(table: Any, reader: _Reader) -> dict[str, Target]:
    targets = dict(DEFAULT_TARGETS)
    if not isinstance(table, Mapping):
        if table is not None:
            reader.problems.append("care.targets: expected a table per priority; using the defaults")
        return targets
    for priority, values in table.items():
        base = targets.get(priority, DEFAULT_TARGETS["normal"])
        values = values if isinstance(values, Mapping) else {}
        where = f"care.targets.{priority}"
        first = reader.get(f"{where}.first_response", parse_duration, values.get("first_response"), base.first_response)
        resolution = reader.get(f"{where}.resolution", parse_duration, values.get("resolution"), base.resolution)
        targets[priority] = Target(first, resolution)
    return targets


def table(value: Any) -> Mapping[str, Any]:
    """A TOML table, or an empty one when the value is missing or not a table."""
    return value if isinstance(value, Mapping) else {}


def load_care_config(data: Mapping[str, Any]) -> CareConfig:
    """The whole config file's data (from tomllib) -> CareConfig with defaults and problems."""
    reader = _Reader()
    care = table(data.get("care"))
    business = table(data.get("business"))
    zone_name = business.get("timezone", data.get("timezone"))  # [business].timezone; a top-level key also works
    tz = reader.get("business.timezone", parse_timezone, zone_name, UTC)
    calendar, calendar_problems = load_calendar(data)
    reader.problems += calendar_problems
    hours = reader.get("care.hours", lambda raw: parse_hours(raw, calendar), care.get("hours"), ALWAYS)
    soon = reader.get("care.breaching_soon", parse_duration, care.get("breaching_soon"), timedelta(hours=2))
    pause_on = reader.get("care.pause_on", _statuses, care.get("pause_on"), frozenset({"pending"}))
    targets = _targets(care.get("targets"), reader)
    moves_table = table(care.get("moves"))
    moves = Moves(
        reply=reader.get("care.moves.reply", _status, moves_table.get("reply"), "pending"),
        customer=reader.get("care.moves.customer", _status, moves_table.get("customer"), "open"),
    )
    settings = SlaSettings(tz=tz, hours=hours, targets=targets, breaching_soon=soon, pause_on=pause_on)
    return CareConfig(settings, moves, tuple(reader.problems))
