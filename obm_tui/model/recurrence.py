"""Recurring processes: RFC 5545 RRULEs (via python-dateutil) and deterministic run ids.

Everything is counted from a fixed start (the process's `created` day, else 1 January 2000), never
from the clock, so two computers that run `obm tick` agree on which runs are due and on their ids.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from dateutil.rrule import rrule, rruleset, rrulestr

EPOCH = date(2000, 1, 1)
PROBE_YEAR = 9960  # a leap year, so 29 February exists
_SUB_DAILY_RE = re.compile(r"FREQ\s*=\s*(HOURLY|MINUTELY|SECONDLY)", re.IGNORECASE)
_FREQ_RE = re.compile(r"FREQ\s*=\s*([A-Za-z]*)", re.IGNORECASE)
_FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
_ID_PART_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class RecurrenceError(ValueError):
    """A recurrence rule that cannot be read; the message says why."""


def parse_rule(text: str, dtstart: date | None = None) -> rrule | rruleset:
    """The dateutil rule for `text` (`FREQ=MONTHLY;BYMONTHDAY=1`, an `RRULE:` prefix allowed)."""
    raw = " ".join(text.split())
    check_freq(raw)
    start = datetime.combine(dtstart or EPOCH, time())
    try:
        rule = rrulestr(raw, dtstart=start, ignoretz=True)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise RecurrenceError(f'"{raw}": {_reason(exc)}') from None
    if isinstance(rule, rrule):
        _check_happens(rule, raw, start)
    return rule


def _check_happens(rule: rrule, raw: str, start: datetime) -> None:
    """Refuse rules that never happen: dateutil would search for them until the year 9999.

    The probe runs the same rule from the same month and day of PROBE_YEAR, so that a search that
    finds nothing gives up after the last 40 years dateutil can count, not 8,000.
    """
    # dateutil keeps INTERVAL only in the private `_interval`, which its stubs (rightly) do not declare
    if rule._interval < 1:  # type: ignore[attr-defined]
        raise RecurrenceError(f'"{raw}": INTERVAL must be 1 or more')
    probe = rule.replace(dtstart=start.replace(year=PROBE_YEAR), count=None, until=None)
    if next(iter(probe), None) is None:
        raise RecurrenceError(f'"{raw}": this rule never happens')


def check_freq(raw: str) -> None:
    """Refuse a rule without a FREQ, with an unknown one, or one finer than a day."""
    if _SUB_DAILY_RE.search(raw):
        raise RecurrenceError(f'"{raw}": runs are by the day; use DAILY, WEEKLY, MONTHLY or YEARLY')
    match = _FREQ_RE.search(raw)
    if match is None:
        raise RecurrenceError(f'"{raw}": no FREQ (write it like FREQ=MONTHLY;BYMONTHDAY=1)')
    if match.group(1).upper() not in _FREQS:
        raise RecurrenceError(f'"{raw}": unknown FREQ "{match.group(1)}" (use DAILY, WEEKLY, MONTHLY or YEARLY)')


def _reason(exc: BaseException) -> str:
    text = str(exc).strip("'\" ")
    return text if text else "not a recurrence rule (write it like FREQ=WEEKLY;BYDAY=MO)"


def check_rule(text: str) -> None:
    """Raise RecurrenceError if `text` is not a usable rule."""
    parse_rule(text)


def latest_occurrence(text: str, today: date, dtstart: date | None = None) -> date | None:
    """The last occurrence on or before `today`, or None."""
    found = parse_rule(text, dtstart).before(datetime.combine(today, time()), inc=True)
    return found.date() if found else None


def next_occurrence(text: str, after: date, dtstart: date | None = None) -> date | None:
    """The first occurrence strictly after `after`, or None when the rule has ended."""
    found = parse_rule(text, dtstart).after(datetime.combine(after, time()), inc=False)
    return found.date() if found else None


def due_occurrences(
    text: str,
    *,
    today: date,
    dtstart: date | None = None,
    after: date | None = None,
    catch_up: bool = False,
    limit: int = 100,
) -> list[date]:
    """Occurrences that need a run on `today`, oldest first.

    `after` is the occurrence of the newest run that already exists (None: never run). Without
    `catch_up` only the latest occurrence on or before today is returned (missed ones are not piled
    up); with it, every occurrence after `after` up to today, at most the last `limit`.
    """
    latest = latest_occurrence(text, today, dtstart)
    if latest is None or (after is not None and latest <= after):
        return []
    if not catch_up:
        return [latest]
    rule = parse_rule(text, dtstart)
    low = datetime.combine(after or dtstart or EPOCH, time())
    found = rule.between(low, datetime.combine(today, time()), inc=True)
    days = [d.date() for d in found if after is None or d.date() > after]
    return days[-limit:]


def run_id(started: date, process_id: str, subject_id: str | None = None) -> str:
    """`2026-11-20-client-onboarding-maya-patel`, or `2026-12-01-monthly-stock-count` with no subject."""
    parts = [process_id] + ([subject_id] if subject_id else [])
    for part in parts:
        if not _ID_PART_RE.match(part) or ".." in part:
            raise ValueError(f'"{part}" cannot be part of a run id')
    return "-".join([started.isoformat(), *parts])


def run_path(started: date, process_id: str, subject_id: str | None = None) -> str:
    """The run's file, relative to the vault: `runs/<run id>.md`."""
    return f"runs/{run_id(started, process_id, subject_id)}.md"
