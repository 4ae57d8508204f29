"""The business calendar: which days are working days. One calendar for the whole vault.

Process due dates (`+2 workdays`), `set` actions (`set follow_up = +3 workdays`) and the
customer-care clocks (`[care.hours]`) all ask this calendar, so a holiday is a holiday for all
of them. It is read from `.obm/config.toml`:

    [calendar]
    days = "mon-fri"                   # working days (default Monday to Friday)
    holidays = ["2026-12-24"]          # the business's own days off
    country = "US"                     # public holidays of a country (ISO 3166 code) ...
    subdivision = "CA"                 # ... and optionally of a state or region

The holidays listed in `[care.hours] holidays` (where older vaults keep them) count too.
Public holidays come from the `holidays` package, imported only when a country is set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONDAY_TO_FRIDAY = frozenset(range(5))
_MAX_STEPS = 3 * 366  # a calendar with no working day for years is refused, not looped over


class CalendarError(ValueError):
    """A calendar setting that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Working days: `days` of the week (0 = Monday) that are not holidays."""

    days: frozenset[int] = MONDAY_TO_FRIDAY
    holidays: frozenset[date] = frozenset()
    country: str = ""  # ISO 3166-1 code; "" for none
    subdivision: str = ""

    def is_holiday(self, day: date) -> bool:
        """A day off that is not a weekend: the business's own, or a public holiday."""
        if day in self.holidays:
            return True
        return bool(self.country) and day in public_holidays(self.country, self.subdivision, day.year)

    def is_workday(self, day: date) -> bool:
        return day.weekday() in self.days and not self.is_holiday(day)

    def add_workdays(self, start: date, count: int) -> date:
        """The `count`-th working day after `start`; for 0, `start` or the next working day."""
        day, steps = start, 0
        while not self.is_workday(day):
            day += timedelta(days=1)
            if count and self.is_workday(day):
                count -= 1
            steps = _step(steps)
        for _ in range(count):
            day += timedelta(days=1)
            while not self.is_workday(day):
                day += timedelta(days=1)
                steps = _step(steps)
        return day


WEEKENDS_OFF = BusinessCalendar()
"""Monday to Friday, no holidays: the calendar of a vault that sets none."""


def _step(steps: int) -> int:
    if steps >= _MAX_STEPS:
        raise CalendarError("the calendar has no working day for years (check [calendar] days and holidays)")
    return steps + 1


@lru_cache(maxsize=256)
def public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    """A country's (and region's) public holidays in one year."""
    import holidays  # lazily: about a second on first use, and only vaults that name a country need it

    found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return frozenset(found)


def parse_days(value: Any) -> frozenset[int]:
    """`["mon", "tue"]` or `"mon-fri"` -> weekday numbers (0 = Monday)."""
    if isinstance(value, str) and "-" in value:
        first, _, last = (part.strip().lower()[:3] for part in value.partition("-"))
        if first not in DAY_NAMES or last not in DAY_NAMES:
            raise CalendarError(f'expected days like "mon-fri", got {value!r}')
        lo, hi = DAY_NAMES.index(first), DAY_NAMES.index(last)
        return frozenset(range(lo, hi + 1)) if lo <= hi else frozenset((*range(lo, 7), *range(hi + 1)))
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise CalendarError(f'expected a list of days like ["mon", "tue"], got {value!r}')
    days = [str(item).strip().lower()[:3] for item in items]
    unknown = [d for d in days if d not in DAY_NAMES]
    if unknown:
        raise CalendarError(f"unknown day {unknown[0]!r}: use mon, tue, wed, thu, fri, sat, sun")
    return frozenset(DAY_NAMES.index(d) for d in days)


def parse_holidays(value: Any) -> frozenset[date]:
    """A list of ISO dates."""
    if not isinstance(value, list):
        raise CalendarError(f'expected a list of dates like ["2026-12-25"], got {value!r}')
    try:
        return frozenset(d if isinstance(d, date) else date.fromisoformat(str(d)) for d in value)
    except ValueError as exc:
        raise CalendarError(f"expected dates like 2026-12-25: {exc}") from None


def parse_country(country: Any, subdivision: Any) -> tuple[str, str]:
    """`("US", "CA")` checked against the countries the `holidays` package knows."""
    if not isinstance(country, str) or not isinstance(subdivision, str):
        raise CalendarError(f'expected a country code like "US", got {country!r}')
    code, region = country.strip().upper(), subdivision.strip().upper()
    if not code:
        return "", ""
    reason = _unknown_country(code, region)
    if reason:
        raise CalendarError(reason)
    return code, region


@lru_cache(maxsize=64)
def _unknown_country(code: str, region: str) -> str:
    import holidays

    try:
        holidays.country_holidays(code, subdiv=region or None)
    except NotImplementedError:
        if region and not _unknown_country(code, ""):
            return f"unknown subdivision {region!r} of {code}: use its ISO 3166-2 code, like CA for California"
        return f"unknown country {code!r}: use an ISO 3166 code like US, GB, DE or FR"
    return ""


def load_calendar(data: Mapping[str, Any]) -> tuple[BusinessCalendar, tuple[str, ...]]:
    """The whole config file's data (from tomllib) -> the calendar, and what was wrong in it
    (a bad value is reported and its default used; this never raises)."""
    section = data.get("calendar")
    table: Mapping[str, Any] = section if isinstance(section, Mapping) else {}
    problems: list[str] = [] if section is None or isinstance(section, Mapping) else ["calendar: expected a table"]

    def read(where: str, parse: Any, *raw: Any, default: Any) -> Any:
        try:
            return parse(*raw)
        except CalendarError as exc:
            problems.append(f"{where}: {exc}; using the default")
            return default

    days = read("calendar.days", parse_days, table["days"], default=MONDAY_TO_FRIDAY) if "days" in table else None
    own = read("calendar.holidays", parse_holidays, table.get("holidays", []), default=frozenset())
    country, region = read("calendar.country", parse_country, table.get("country", ""),
                           table.get("subdivision", ""), default=("", ""))
    care = data.get("care")
    hours = care.get("hours") if isinstance(care, Mapping) else None
    legacy = hours.get("holidays") if isinstance(hours, Mapping) else None
    if legacy is not None:  # older vaults list their days off under [care.hours]
        own |= read("care.hours.holidays", parse_holidays, legacy, default=frozenset())
    return BusinessCalendar(MONDAY_TO_FRIDAY if days is None else days, own, country, region), tuple(problems)
